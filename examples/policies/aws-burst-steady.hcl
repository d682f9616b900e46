# aws-burst.hcl with a behavior block (a Capstan extension): the same burst policy, but a scale-in
# waits until the checks have wanted the smaller count for 5 minutes (Kubernetes' HPA default
# scale-down stabilization window), so a dip in the load between two waves no longer gives back a node
# it needs again minutes later. `capstan simulate` runs both side by side; docs/simulator.md has the
# table (seed 42: 15 scaling actions instead of 21 and fewer minutes over capacity, for about one
# instance-hour more).
#
# behavior {} alone takes every Kubernetes default: scale_up without a window, at most 4 instances or
# 100 % more per 15 s (here it once starts 6 instances where the plain policy starts 7); scale_down
# with a 5m window, at most 100 % per 15 s. projection = true adds Azure's anti-flap rule: a scale-in
# is first projected to the smaller count (value x current / new) and target-value asked again there.
# target-value's count is proportional to its metric, so for this single check the projection never
# changes a decision; it guards the policy once a threshold check (a band of values) joins it.
#
# Its own group (hashistack-cloud-steady), so it can run beside aws-burst.hcl without the two
# fighting over one group.
scaling "aws_burst_steady" {
  enabled = true
  min     = 0
  max     = 12
  type    = "cluster"

  policy {
    cooldown             = "10m"
    cooldown_on_scale_up = "4m"
    evaluation_interval  = "1m"
    on_check_error       = "ignore"

    # capstan validate --lint: as aws-burst.hcl, the query counts waiting work the linter cannot read,
    # and the tolerance stays the peer's default on purpose.
    lint {
      ignore = ["min-zero-without-demand", "target-value-threshold-below-step"]
    }

    behavior {
      scale_down {
        stabilization_window = "5m"
        projection           = true
      }
    }

    check "cloud_cpu_allocated_percentage" {
      source       = "prometheus"
      query        = "100 * ((sum(nomad_client_allocated_cpu{node_class=\"hashistack-cloud-steady\"}) or vector(0)) + (sum(nomad_nomad_blocked_evals_total_cpu) or vector(0))) / clamp_min((sum(nomad_client_allocated_cpu{node_class=\"hashistack-cloud-steady\"} + nomad_client_unallocated_cpu{node_class=\"hashistack-cloud-steady\"}) or vector(0)), 4000)"
      query_window = "2m"

      strategy "target-value" {
        target = 70
      }
    }

    target "aws-asg" {
      aws_asg_name           = "hashistack-cloud-steady"
      node_class             = "hashistack-cloud-steady"
      datacenter             = "dc1"
      node_drain_deadline    = "5m"
      node_purge             = "true"
      node_selector_strategy = "empty_ignore_system"
    }
  }
}
