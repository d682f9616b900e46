/** Placeholder until this module's issue lands. */
package dev.capstan.target.gcp;
