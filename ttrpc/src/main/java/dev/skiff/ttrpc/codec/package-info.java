/**
 * The protobuf envelopes of ttrpc, exactly as containerd/ttrpc's {@code request.proto}:
 *
 * <pre>
 * message Request  { string service = 1; string method = 2; bytes payload = 3;
 *                    int64 timeout_nano = 4; repeated KeyValue metadata = 5; }
 * message Response { google.rpc.Status status = 1; bytes payload = 2; }
 * message KeyValue { string key = 1; string value = 2; }
 * // google/rpc/status.proto
 * message Status   { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
 * // google/protobuf/any.proto
 * message Any      { string type_url = 1; bytes value = 2; }
 * </pre>
 *
 * <p>The codec is written by hand over protobuf-java's {@code CodedInputStream} and
 * {@code CodedOutputStream} instead of generated code: there is no {@code protoc} in the build,
 * the five messages are tiny and frozen, and the hand-written records keep the module free of a
 * code-generation step. Encoding follows proto3 (default values are not written; fields in
 * field-number order), decoding accepts any field order and skips unknown fields. The tests
 * cross-check every message against protobuf's {@code DynamicMessage} built from the same schema.
 *
 * <p>A codec never touches a socket: it maps {@code byte[]} to records and back. Malformed input
 * raises {@link dev.skiff.ttrpc.codec.MalformedEnvelopeException}.
 */
package dev.skiff.ttrpc.codec;
