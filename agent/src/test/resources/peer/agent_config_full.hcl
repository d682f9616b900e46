# Copied unchanged from hashicorp/nomad-autoscaler@ede4e617db9b03305c70d053ef57ad098e9a2a73 command/test-fixtures/agent_config_full.hcl (MPL-2.0)
# Copyright IBM Corp. 2020, 2026
# SPDX-License-Identifier: MPL-2.0

log_level            = "TRACE"
log_json             = true
log_include_location = true
enable_debug         = true
plugin_dir           = "./plugin_dir_from_file"

http {
  bind_address = "10.0.0.2"
  bind_port    = 8888
}

nomad {
  address         = "http://nomad_from_file.example.com:4646"
  region          = "file"
  namespace       = "staging"
  token           = "TOKEN_FROM_FILE"
  http_auth       = "user:file"
  ca_cert         = "./ca-cert-from-file.pem"
  ca_path         = "./ca-cert-from-file"
  client_cert     = "./client-cert-from-file.pem"
  client_key      = "./client-key-from-file.pem"
  tls_server_name = "tls_from_file"
  skip_verify     = true
}

policy {
  dir                         = "./policy-dir-from-file"
  default_cooldown            = "12s"
  default_evaluation_interval = "50m"

  source "file" {
    enabled = false
  }

  source "nomad" {
    enabled = false
  }
}

policy_eval {
  delivery_limit = 10
  ack_timeout    = "3m"

  workers = {
    cluster    = 3
    horizontal = 1
  }
}

high_availability {
  enabled        = true
  lock_namespace = "my-namespace"
  lock_path      = "my/custom/path"
  lock_ttl       = "30s"
  lock_delay     = "15s"
}
