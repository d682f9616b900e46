# From hashicorp/nomad-autoscaler-demos@700010327931f2e0b3e48811000d62957b2150bb cloud/demos/on-demand-batch/aws/jobs/autoscaler.nomad.tpl, lines 61-84,
# rendered with aws_asg_name = batch-workers.
scaling "batch" {
  enabled = true
  min     = 0
  max     = 5

  policy {
    cooldown            = "1m"
    evaluation_interval = "10s"

    check "batch_jobs_in_progess" {
      source = "prometheus"
      query  = "sum(nomad_nomad_job_summary_queued{exported_job=~\"batch/.*\"} + nomad_nomad_job_summary_running{exported_job=~\"batch/.*\"}) OR on() vector(0)"

      strategy "pass-through" {}
    }

    target "aws-asg" {
      aws_asg_name           = "batch-workers"
      datacenter             = "batch_workers"
      node_drain_deadline    = "1h"
      node_selector_strategy = "empty_ignore_system"
    }
  }
}
