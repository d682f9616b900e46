# From hashicorp/nomad-autoscaler-demos@700010327931f2e0b3e48811000d62957b2150bb cloud/aws/terraform/modules/aws-hashistack/templates/aws_autoscaler.nomad.tpl, lines 77-129 (the policies/hashistack.hcl template),
# rendered with client_asg_name = hashistack-nomad_client.
scaling "cluster_policy" {
  enabled = true
  min     = 1
  max     = 2

  policy {
    cooldown            = "2m"
    evaluation_interval = "1m"

    check "cpu_allocated_percentage" {
      source = "prometheus"
      query  = "sum(nomad_client_allocated_cpu{node_class=\"hashistack\"}*100/(nomad_client_unallocated_cpu{node_class=\"hashistack\"}+nomad_client_allocated_cpu{node_class=\"hashistack\"}))/count(nomad_client_allocated_cpu{node_class=\"hashistack\"})"

      strategy "target-value" {
        target = 70
      }
    }
    # Datadog example
    # check "cpu_allocated_percentage" {
    #   source       = "datadog"
    #   query        = "avg:nomad.client.allocated.cpu{*}/(avg:nomad.client.unallocated.cpu{*}+avg:nomad.client.allocated.cpu{*})*100"
    #   query_window = "2m"
    #   strategy "target-value" {
    #     target = 70
    #   }
    # }

    check "mem_allocated_percentage" {
      source = "prometheus"
      query  = "sum(nomad_client_allocated_memory{node_class=\"hashistack\"}*100/(nomad_client_unallocated_memory{node_class=\"hashistack\"}+nomad_client_allocated_memory{node_class=\"hashistack\"}))/count(nomad_client_allocated_memory{node_class=\"hashistack\"})"

      strategy "target-value" {
        target = 70
      }
    }
    # Datadog example
    # check "memory_allocated_percentage" {
    #   source       = "datadog"
    #   query        = "avg:nomad.client.allocated.memory{*}/(avg:nomad.client.unallocated.memory{*}+avg:nomad.client.allocated.memory{*})*100"
    #   query_window = "2m"
    #   strategy "target-value" {
    #     target = 70
    #   }
    # }

    target "aws-asg" {
      dry-run             = "false"
      aws_asg_name        = "hashistack-nomad_client"
      node_class          = "hashistack"
      node_drain_deadline = "5m"
    }
  }
}
