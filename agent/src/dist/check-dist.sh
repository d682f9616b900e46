#!/usr/bin/env bash
# The verify-phase check of the distribution (agent/pom.xml runs it after package): unpacks
# capstan-<version>.tar.gz, checks its layout and runs the launcher as a user would: --version, and
# validate on the shipped examples, from another working directory and through a symbolic link.
# Usage: check-dist.sh TARBALL VERSION WORKDIR
set -euo pipefail

tarball=$1
version=$2
work=$3

fail() { echo "distribution check failed: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
tar -xzf "$tarball" -C "$work"
root="$work/capstan-$version"
[[ -d "$root" ]] || fail "$tarball has no top directory capstan-$version"

for f in bin/capstan README.md examples/agent.hcl examples/nomad/capstan.nomad.hcl "lib/capstan-agent-$version.jar" \
    "lib/capstan-core-$version.jar" "lib/capstan-target-aws-$version.jar" "lib/picocli-"*.jar; do
  compgen -G "$root/$f" > /dev/null || fail "$f is missing"
done
[[ -x "$root/bin/capstan" ]] || fail "bin/capstan is not executable"
if compgen -G "$root/lib/*-all.jar" > /dev/null; then
  fail "lib/ holds the shaded jar too; every class would be on the class path twice"
fi

printed=$(cd "$work" && "$root/bin/capstan" --version)
[[ "$printed" == "capstan $version" ]] || fail "bin/capstan --version printed '$printed', not 'capstan $version'"

ln -s "$root/bin/capstan" "$work/capstan-link"
printed=$(cd "$work" && ./capstan-link validate --config "$root/examples/agent.hcl" "$root/examples/policies")
[[ "$printed" == *"policies are valid"* ]] || fail "validate on the examples printed: $printed"

echo "distribution check passed: $tarball ($(ls "$root/lib" | wc -l) jars in lib/)"
