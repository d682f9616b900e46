# From hashicorp/nomad-autoscaler-demos@700010327931f2e0b3e48811000d62957b2150bb cloud/demos/on-demand-batch/aws/jobs/autoscaler.nomad.tpl, lines 22-51,
# rendered with NOMAD_PORT_autoscaler = 8080, a client at 10.0.0.5, Prometheus at 10.0.0.6:9090, aws_region = eu-west-1.
http {
  bind_address = "0.0.0.0"
  bind_port    = 8080
}

policy {
  dir = "local/policies"
}

nomad {
  address = "http://10.0.0.5:4646"
}

apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "http://10.0.0.6:9090"
  }
}

target "aws-asg" {
  driver = "aws-asg"
  config = {
    aws_region = "eu-west-1"
  }
}

strategy "pass-through" {
  driver = "pass-through"
}
