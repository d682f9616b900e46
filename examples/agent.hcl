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

target "aws-asg" {
  driver = "aws-asg"
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
