/**
 * The {@code gce-mig} target: Google Compute Engine managed instance groups, zonal and regional,
 * driven through the official google-cloud-compute client (REST transport).
 */
package dev.capstan.target.gcp;
