# From hashicorp/nomad-autoscaler-demos@700010327931f2e0b3e48811000d62957b2150bb cloud/gcp/terraform/modules/gcp-hashistack/templates/gcp_autoscaler.nomad.tpl, lines 60-100,
# rendered with mig_type = regional, project = hashistack-demo, region = us-central1, mig_name = hashistack-nomad-client.
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

    check "mem_allocated_percentage" {
      source = "prometheus"
      query  = "sum(nomad_client_allocated_memory{node_class=\"hashistack\"}*100/(nomad_client_unallocated_memory{node_class=\"hashistack\"}+nomad_client_allocated_memory{node_class=\"hashistack\"}))/count(nomad_client_allocated_memory{node_class=\"hashistack\"})"

      strategy "target-value" {
        target = 70
      }
    }

    target "gce-mig" {
      project             = "hashistack-demo"
      region              = "us-central1"
      mig_name            = "hashistack-nomad-client"
      node_class          = "hashistack"
      node_drain_deadline = "5m"
    }
  }
}
