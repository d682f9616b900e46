# Capstan as a Nomad job, in place of the seed's nomad-autoscaler job: the same exec driver, the same
# command line (`agent -config ... -http-bind-address 0.0.0.0 -policy-dir ...`), the same agent file
# and policy shape; only the artifact and the command change. Run it with `nomad job run`.
#
# The distribution (`./mvnw package` writes agent/target/capstan-0.1.0.tar.gz) must be served from
# somewhere the Nomad clients can reach; Nomad unpacks it into the task's local/ directory. The exec
# driver runs the task in a chroot that includes /usr, so a Java 17+ installed by the OS package
# manager (/usr/lib/jvm/...) is found; set JAVA_HOME in `env` otherwise.
#
# The AWS keys stay in Vault (kv/autoscaler, as in the seed) and reach the agent as environment
# variables through a template: the AWS SDK reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY itself,
# so they appear in no file Capstan reads. A changed agent file or policy is re-rendered by Nomad and
# applied with SIGHUP, which makes Capstan reload both without a restart.
job "autoscaler" {
  datacenters = ["dc1"]

  # As in the seed: run on the always-on Raspberry Pis, never on the cloud nodes it scales.
  constraint {
    attribute = "${node.class}"
    value     = "hashistack-rpi"
  }

  group "autoscaler" {
    count = 1

    network {
      port "http" {
        static = 8080
      }
    }

    # Cooldowns and the scale-in journal survive a task restart and follow the allocation.
    ephemeral_disk {
      sticky  = true
      migrate = true
    }

    task "autoscaler" {
      driver = "exec"

      artifact {
        source      = "https://artifacts.example.com/capstan/capstan-0.1.0.tar.gz"
        destination = "local"
      }

      vault {
        policies = ["autoscaler"]
      }

      config {
        command = "local/capstan-0.1.0/bin/capstan"

        args = [
          "agent",
          "-config",
          "${NOMAD_TASK_DIR}/config.hcl",
          "-http-bind-address",
          "0.0.0.0",
          "-policy-dir",
          "${NOMAD_TASK_DIR}/policies/",
        ]
      }

      env {
        CAPSTAN_JAVA_OPTS = "-Xmx192m"
      }

      template {
        data = <<EOF
{{ with secret "kv/data/autoscaler" }}
AWS_ACCESS_KEY_ID={{ .Data.data.aws_access_key_id }}
AWS_SECRET_ACCESS_KEY={{ .Data.data.aws_secret_access_key }}
{{ end }}
EOF

        destination = "secrets/aws.env"
        env         = true
      }

      template {
        data = <<EOF
apm "prometheus" {
  driver = "prometheus"
  config = {
    address = "http://{{ range service "prometheus" }}{{ .Address }}:{{ .Port }}{{ end }}"
  }
}

node_pool "nomad" {
  driver = "nomad"
  config = {
    address = "http://{{ env "attr.unique.network.ip-address" }}:4646"
  }
}

target "aws-asg" {
  driver    = "aws-asg"
  node_pool = "nomad"
  config = {
    aws_region = "eu-west-1"
  }
}

state_dir = "{{ env "NOMAD_ALLOC_DIR" }}/data/capstan-state"
EOF

        destination   = "${NOMAD_TASK_DIR}/config.hcl"
        change_mode   = "signal"
        change_signal = "SIGHUP"
      }

      template {
        data = <<EOF
scaling "cluster_policy" {
  enabled = true
  min     = 0
  max     = 12

  policy {
    cooldown            = "10m"
    evaluation_interval = "1m"

    check "cpu_allocated_percentage" {
      source       = "prometheus"
      query        = "100 * ((sum(nomad_client_allocated_cpu{node_class=\"hashistack-cloud\"}) or vector(0)) + (sum(nomad_nomad_blocked_evals_total_cpu) or vector(0))) / clamp_min((sum(nomad_client_allocated_cpu{node_class=\"hashistack-cloud\"} + nomad_client_unallocated_cpu{node_class=\"hashistack-cloud\"}) or vector(0)), 4000)"
      query_window = "2m"

      strategy "target-value" {
        target = 70
      }
    }

    target "aws-asg" {
      dry-run             = "false"
      aws_asg_name        = "hashistack-cloud"
      node_class          = "hashistack-cloud"
      node_drain_deadline = "5m"
      node_purge          = "true"
    }
  }
}
EOF

        destination   = "${NOMAD_TASK_DIR}/policies/hashistack.hcl"
        change_mode   = "signal"
        change_signal = "SIGHUP"
      }

      resources {
        cpu    = 200
        memory = 256
      }

      service {
        name = "autoscaler"
        port = "http"

        check {
          type     = "http"
          path     = "/v1/health"
          interval = "5s"
          timeout  = "2s"
        }
      }
    }
  }
}
