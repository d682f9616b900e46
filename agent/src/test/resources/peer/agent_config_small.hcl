# Copied unchanged from hashicorp/nomad-autoscaler@ede4e617db9b03305c70d053ef57ad098e9a2a73 command/test-fixtures/agent_config_small.hcl (MPL-2.0)
# Copyright IBM Corp. 2020, 2025
# SPDX-License-Identifier: MPL-2.0

log_level = "ERROR"
