# The web job's frontend task group, scaled on its allocations' average CPU use as Nomad reports
# it (nomad-apm). More allocations than the Pis can hold are what makes the cloud group grow.
scaling "web_frontend" {
  enabled = true
  min     = 2
  max     = 40

  policy {
    cooldown            = "30s"
    evaluation_interval = "10s"

    check "avg_cpu" {
      source = "nomad-apm"
      query  = "taskgroup_avg_cpu/frontend/web@default"

      strategy "target-value" {
        target = 70
      }
    }

    target "nomad-target" {
      Job   = "web"
      Group = "frontend"
    }
  }
}
