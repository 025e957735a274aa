package dev.skiff.ttrpc.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.AnyProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Cross-checks the hand-written codec against protobuf's DynamicMessage for request.proto. */
class EnvelopesTest {
    private static Descriptor requestType;
    private static Descriptor responseType;
    private static Descriptor statusType;

    private static FieldDescriptorProto field(String name, int number, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(Label.LABEL_OPTIONAL).build();
    }

    private static FieldDescriptorProto message(String name, int number, String typeName, boolean repeated) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(Type.TYPE_MESSAGE)
                .setTypeName(typeName).setLabel(repeated ? Label.LABEL_REPEATED : Label.LABEL_OPTIONAL).build();
    }

    @BeforeAll
    static void schema() throws Exception {
        FileDescriptor status = FileDescriptor.buildFrom(FileDescriptorProto.newBuilder()
                .setName("google/rpc/status.proto").setPackage("google.rpc").setSyntax("proto3")
                .addDependency("google/protobuf/any.proto")
                .addMessageType(DescriptorProto.newBuilder().setName("Status")
                        .addField(field("code", 1, Type.TYPE_INT32))
                        .addField(field("message", 2, Type.TYPE_STRING))
                        .addField(message("details", 3, ".google.protobuf.Any", true)))
                .build(), new FileDescriptor[] {AnyProto.getDescriptor()});
        FileDescriptor request = FileDescriptor.buildFrom(FileDescriptorProto.newBuilder()
                .setName("github.com/containerd/ttrpc/request.proto").setPackage("ttrpc").setSyntax("proto3")
                .addDependency("google/rpc/status.proto")
                .addMessageType(DescriptorProto.newBuilder().setName("Request")
                        .addField(field("service", 1, Type.TYPE_STRING))
                        .addField(field("method", 2, Type.TYPE_STRING))
                        .addField(field("payload", 3, Type.TYPE_BYTES))
                        .addField(field("timeout_nano", 4, Type.TYPE_INT64))
                        .addField(message("metadata", 5, ".ttrpc.KeyValue", true)))
                .addMessageType(DescriptorProto.newBuilder().setName("Response")
                        .addField(message("status", 1, ".google.rpc.Status", false))
                        .addField(field("payload", 2, Type.TYPE_BYTES)))
                .addMessageType(DescriptorProto.newBuilder().setName("KeyValue")
                        .addField(field("key", 1, Type.TYPE_STRING))
                        .addField(field("value", 2, Type.TYPE_STRING)))
                .build(), new FileDescriptor[] {status});
        requestType = request.findMessageTypeByName("Request");
        responseType = request.findMessageTypeByName("Response");
        statusType = status.findMessageTypeByName("Status");
    }

    private static DynamicMessage dynamicRequest() {
        Descriptor kv = requestType.findFieldByName("metadata").getMessageType();
        return DynamicMessage.newBuilder(requestType)
                .setField(requestType.findFieldByName("service"), "containerd.task.v2.Task")
                .setField(requestType.findFieldByName("method"), "Create")
                .setField(requestType.findFieldByName("payload"), ByteString.copyFromUtf8("\0payload"))
                .setField(requestType.findFieldByName("timeout_nano"), 5_000_000_000L)
                .addRepeatedField(requestType.findFieldByName("metadata"), DynamicMessage.newBuilder(kv)
                        .setField(kv.findFieldByName("key"), "trace").setField(kv.findFieldByName("value"), "a").build())
                .addRepeatedField(requestType.findFieldByName("metadata"), DynamicMessage.newBuilder(kv)
                        .setField(kv.findFieldByName("key"), "trace").setField(kv.findFieldByName("value"), "b").build())
                .build();
    }

    private static Request javaRequest() {
        return new Request("containerd.task.v2.Task", "Create", "\0payload".getBytes(StandardCharsets.UTF_8),
                5_000_000_000L, List.of(new KeyValue("trace", "a"), new KeyValue("trace", "b")));
    }

    @Test
    void requestBytesEqualProtobufs() throws Exception {
        assertArrayEquals(dynamicRequest().toByteArray(), Envelopes.encode(javaRequest()));
        Request r = Envelopes.decodeRequest(dynamicRequest().toByteArray());
        assertEquals("containerd.task.v2.Task", r.service());
        assertEquals("Create", r.method());
        assertArrayEquals("\0payload".getBytes(StandardCharsets.UTF_8), r.payload());
        assertEquals(5_000_000_000L, r.timeoutNano());
        assertEquals(List.of(new KeyValue("trace", "a"), new KeyValue("trace", "b")), r.metadata());
    }

    @Test
    void emptyRequestIsEmptyBytes() throws Exception {
        Request empty = new Request("", "", new byte[0], 0, List.of());
        assertEquals(0, Envelopes.encode(empty).length);
        assertEquals(0, Envelopes.decodeRequest(new byte[0]).payload().length);
    }

    @Test
    void responseWithErrorStatusAndDetailsEqualsProtobufs() throws Exception {
        Descriptor any = AnyProto.getDescriptor().findMessageTypeByName("Any");
        DynamicMessage status = DynamicMessage.newBuilder(statusType)
                .setField(statusType.findFieldByName("code"), 5)
                .setField(statusType.findFieldByName("message"), "container abc not found")
                .addRepeatedField(statusType.findFieldByName("details"), DynamicMessage.newBuilder(any)
                        .setField(any.findFieldByName("type_url"), "type.googleapis.com/x.Y")
                        .setField(any.findFieldByName("value"), ByteString.copyFrom(new byte[] {1, 2})).build())
                .build();
        DynamicMessage dyn = DynamicMessage.newBuilder(responseType)
                .setField(responseType.findFieldByName("status"), status).build();

        Response java = new Response(new RpcStatus(5, "container abc not found",
                List.of(new RpcStatus.Detail("type.googleapis.com/x.Y", new byte[] {1, 2}))), new byte[0]);
        assertArrayEquals(dyn.toByteArray(), Envelopes.encode(java));

        Response back = Envelopes.decodeResponse(dyn.toByteArray());
        assertEquals(5, back.status().code());
        assertEquals("container abc not found", back.status().message());
        assertEquals("type.googleapis.com/x.Y", back.status().details().get(0).typeUrl());
        assertArrayEquals(new byte[] {1, 2}, back.status().details().get(0).value());
    }

    @Test
    void okResponseKeepsAnEmptyStatusField() throws Exception {
        DynamicMessage dyn = DynamicMessage.newBuilder(responseType)
                .setField(responseType.findFieldByName("status"), DynamicMessage.getDefaultInstance(statusType))
                .setField(responseType.findFieldByName("payload"), ByteString.copyFromUtf8("ok"))
                .build();
        Response java = new Response(new RpcStatus(0, "", List.of()), "ok".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(dyn.toByteArray(), Envelopes.encode(java));
        assertNull(Envelopes.decodeResponse(new byte[0]).status(), "absent status");
    }

    @Test
    void unknownFieldsAreSkipped() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(99, "from the future");
        out.writeFixed64(100, 7);
        out.writeString(2, "Method");
        out.flush();
        assertEquals("Method", Envelopes.decodeRequest(bytes.toByteArray()).method());
    }

    @Test
    void malformedBytesAreATypedError() {
        byte[] truncated = java.util.Arrays.copyOf(Envelopes.encode(javaRequest()), 20);
        MalformedEnvelopeException e = assertThrows(MalformedEnvelopeException.class,
                () -> Envelopes.decodeRequest(truncated));
        assertEquals(true, e.getMessage().startsWith("failed to decode ttrpc.Request"), e.getMessage());
        assertThrows(MalformedEnvelopeException.class, () -> Envelopes.decodeResponse(new byte[] {(byte) 0xff}));
        // field 1 declared as a 100-byte string with 1 byte present
        assertThrows(MalformedEnvelopeException.class, () -> Envelopes.decodeKeyValue(new byte[] {10, 100, 65}));
    }
}
