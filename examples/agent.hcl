# Capstan agent configuration for the Raspberry Pi cluster that bursts into AWS, in
# nomad-autoscaler's agent-file shape. Run it with:
#   ./capstan run --config examples/agent.hcl
# Credentials come from the usual AWS sources (environment, profile, instance role) unless set here.
# To try it without a cluster or an AWS account, start `./capstan fake-cluster` first (see the README).

# The Nomad cluster: the Pis (node_class "hashistack-rpi") and the cloud nodes (node_class
# "hashistack-cloud") that join it through Tailscale. Address and token fall back to NOMAD_ADDR /
# NOMAD_TOKEN when not set.
nomad {
  address = "http://127.0.0.1:4646"
}

# Nomad's own view of allocations and nodes: the checks of examples/nomad-policies.
apm "nomad-apm" {
  driver = "nomad-apm"
  config = {
    address = "http://127.0.0.1:4646"
  }
}

# Prometheus scraping the Nomad clients, as in the blog post (the checks of examples/policies).
apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "http://127.0.0.1:9090"
  }
}

# Drains the cloud nodes chosen for scale-in before their instances go, and purges them after.
node_pool "nomad" {
  driver = "nomad"
  config = {
    address = "http://127.0.0.1:4646"
  }
}

# The Auto Scaling group of cloud nodes, scaled in through the node pool above.
target "aws-asg" {
  driver    = "aws-asg"
  node_pool = "nomad"
  config = {
    aws_region = "eu-west-1"
  }
}

# Job task groups (policies with target "nomad-target" { Job, Group }).
target "nomad-target" {
  driver = "nomad-target"
  config = {
    address = "http://127.0.0.1:4646"
  }
}

strategy "target-value" {
  driver = "target-value"
}

policy {
  dir                         = "examples/nomad-policies"
  default_cooldown            = "5m"
  default_evaluation_interval = "1m"
}

http {
  bind_address = "127.0.0.1"
  bind_port    = 8080
}
