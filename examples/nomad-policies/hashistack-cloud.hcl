# The cloud half of the Raspberry Pi cluster: an AWS Auto Scaling group whose instances join Nomad
# as node_class "hashistack-cloud". The Pis ("hashistack-rpi") are never scaled; jobs fill them
# first, and what does not fit lands on the cloud nodes. This policy keeps the cloud nodes' CPU
# allocation around 70 percent, as Nomad itself reports it (nomad-apm), so the group grows while
# work spills over and shrinks when it is gone. One cloud node always stays, as in the blog post.
#
# Scale-in drains the least busy cloud node (its allocations move to the others), terminates
# exactly its instance and purges it from Nomad; a Pi is never chosen: it is not of this class and
# its machine is in no Auto Scaling group.
scaling "hashistack_cloud" {
  enabled = true
  min     = 1
  max     = 6
  type    = "cluster"

  policy {
    cooldown             = "2m"
    cooldown_on_scale_up = "30s"
    evaluation_interval  = "20s"

    check "cloud_cpu_allocated" {
      source = "nomad-apm"
      query  = "node_percentage-allocated_cpu/node_class=hashistack-cloud"

      strategy "target-value" {
        target = 70
      }
    }

    target "aws-asg" {
      aws_asg_name        = "hashistack-cloud"
      node_class          = "hashistack-cloud"
      datacenter          = "dc1"
      node_drain_deadline = "5m"
      node_purge          = "true"
    }
  }
}
