# From hashicorp/nomad-autoscaler-demos@700010327931f2e0b3e48811000d62957b2150bb vagrant/horizontal-app-scaling/jobs/autoscaler.nomad, lines 51-69,
# rendered with a client at 10.0.0.5 (Nomad's template language only).
nomad {
  address = "http://10.0.0.5:4646"
}

telemetry {
  prometheus_metrics = true
  disable_hostname   = true
}

apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "http://10.0.0.5:9090"
  }
}

strategy "target-value" {
  driver = "target-value"
}
