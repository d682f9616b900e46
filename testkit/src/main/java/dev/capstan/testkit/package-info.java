/**
 * Test support for Capstan and its plug-ins: a manual clock, an in-memory target, a scripted metric
 * source, a local AWS Auto Scaling endpoint ({@link dev.capstan.testkit.FakeAutoScaling}), and the
 * abstract contract tests that every {@code Strategy}, {@code MetricSource} and {@code Target}
 * implementation extends.
 */
package dev.capstan.testkit;
