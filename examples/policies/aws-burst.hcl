# A Raspberry Pi Nomad cluster (node_class "hashistack-rpi", always on, never scaled) that bursts
# into an AWS Auto Scaling Group (node_class "hashistack-cloud") when the Pis run out of CPU, and
# gives the cloud nodes back when the load is gone: min = 0, so quiet hours cost nothing.
#
# The query is the cloud nodes' CPU allocated percentage, counting CPU that jobs are still waiting
# for (blocked evaluations) as allocated, over at least one node's worth of capacity (4000 MHz), so
# it is defined when no cloud node runs: 0 while the Pis cope, above 100 when work spills over.
# target-value keeps it around 70 percent; from zero nodes it starts ceil(value / 70) of them.
scaling "aws_burst" {
  enabled = true
  min     = 0
  max     = 12
  type    = "cluster"

  policy {
    cooldown             = "10m"
    cooldown_on_scale_up = "4m"
    evaluation_interval  = "1m"
    on_check_error       = "ignore"

    # capstan validate --lint: the query is above 0 with no cloud node running (see above), which the
    # linter cannot read; and the strategy keeps nomad-autoscaler's default tolerance (0.01), below one
    # node's share at max = 12, on purpose: the cooldowns, not the tolerance, pace the changes here.
    lint {
      ignore = ["min-zero-without-demand", "target-value-threshold-below-step"]
    }

    check "cloud_cpu_allocated_percentage" {
      source       = "prometheus"
      query        = "100 * ((sum(nomad_client_allocated_cpu{node_class=\"hashistack-cloud\"}) or vector(0)) + (sum(nomad_nomad_blocked_evals_total_cpu) or vector(0))) / clamp_min((sum(nomad_client_allocated_cpu{node_class=\"hashistack-cloud\"} + nomad_client_unallocated_cpu{node_class=\"hashistack-cloud\"}) or vector(0)), 4000)"
      query_window = "2m"

      strategy "target-value" {
        target = 70
      }
    }

    target "aws-asg" {
      aws_asg_name           = "hashistack-cloud"
      node_class             = "hashistack-cloud"
      datacenter             = "dc1"
      node_drain_deadline    = "5m"
      node_purge             = "true"
      node_selector_strategy = "empty_ignore_system"
    }
  }
}
