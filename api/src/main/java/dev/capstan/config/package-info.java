/**
 * Typed reading of the {@code Map<String,String>} configurations that HCL policy and agent files
 * produce, with every failure reported at once, and Go-style durations.
 */
package dev.capstan.config;
