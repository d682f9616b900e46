# From hashicorp/nomad-autoscaler-demos@700010327931f2e0b3e48811000d62957b2150bb cloud/gcp/terraform/modules/gcp-hashistack/templates/gcp_autoscaler.nomad.tpl, lines 35-52,
# rendered with a client at 10.0.0.5 and Prometheus at 10.0.0.6:9090.
nomad {
  address = "http://10.0.0.5:4646"
}

apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "http://10.0.0.6:9090"
  }
}

target "gce-mig" {
  driver = "gce-mig"
}

strategy "target-value" {
  driver = "target-value"
}
