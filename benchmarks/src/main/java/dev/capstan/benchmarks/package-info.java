/**
 * JMH benchmarks for Capstan's hot paths; not published. Results with {@code -prof gc} are committed
 * under {@code benchmarks/results/}.
 */
package dev.capstan.benchmarks;
