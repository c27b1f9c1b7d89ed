/**
 * The gRPC signaling backend ({@code grpc://host:port[?insecure=true][&ca=FILE]}): a client of
 * a cunīcu-compatible signaling server. TLS by default; subscriptions report "subscribed" only
 * after the server's empty marker envelope and resubscribe with jittered exponential backoff
 * whenever the stream breaks; received envelopes are opened with the subscription's keys and
 * rejections are counted. {@link org.cunicu4j.signaling.grpc.GrpcBackend} owns the channel and
 * one scheduler thread for retries.
 */
package org.cunicu4j.signaling.grpc;
