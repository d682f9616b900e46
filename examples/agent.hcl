# Capstan agent configuration for the Raspberry Pi cluster that bursts into AWS, in
# nomad-autoscaler's agent-file shape. Run it with:
#   ./capstan run --config examples/agent.hcl --policy-dir examples/policies
# Credentials come from the usual AWS sources (environment, profile, instance role) unless set here.

apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "http://127.0.0.1:9090"
  }
}

# The Nomad cluster itself: drains the cloud nodes chosen for scale-in before their instances go.
# Address and token fall back to NOMAD_ADDR / NOMAD_TOKEN when not set here.
node_pool "nomad" {
  driver = "nomad"
  config = {
    address = "http://127.0.0.1:4646"
  }
}

target "aws-asg" {
  driver    = "aws-asg"
  node_pool = "nomad"
  config = {
    aws_region = "eu-west-1"
  }
}

strategy "target-value" {
  driver = "target-value"
}

policy {
  dir                         = "examples/policies"
  default_cooldown            = "5m"
  default_evaluation_interval = "1m"
}

http {
  bind_address = "127.0.0.1"
  bind_port    = 8080
}
