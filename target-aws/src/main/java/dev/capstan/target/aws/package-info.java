/**
 * The {@code aws-asg} target: scales an AWS Auto Scaling Group through the AWS SDK v2 client.
 *
 * <p>{@link dev.capstan.target.aws.AwsAsgTargetProvider} is found by {@link java.util.ServiceLoader};
 * {@link dev.capstan.target.aws.AwsAsgTarget} reads and sets the group's desired capacity and
 * terminates chosen instances for the cluster scale-in flow.
 */
package dev.capstan.target.aws;
