# From hashicorp/nomad-autoscaler-demos@700010327931f2e0b3e48811000d62957b2150bb cloud/azure/terraform/modules/azure-hashistack/templates/azure_autoscaler.nomad.tpl, lines 35-55,
# rendered with a client at 10.0.0.5, Prometheus at 10.0.0.6:9090, subscription_id = 00000000-0000-0000-0000-000000000000.
nomad {
  address = "http://10.0.0.5:4646"
}

apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "http://10.0.0.6:9090"
  }
}

target "azure-vmss" {
  driver = "azure-vmss"
  config = {
    subscription_id = "00000000-0000-0000-0000-000000000000"
  }
}

strategy "target-value" {
  driver = "target-value"
}
