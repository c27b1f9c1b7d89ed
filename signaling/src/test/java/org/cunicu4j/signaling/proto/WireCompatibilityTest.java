package org.cunicu4j.signaling.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor.MethodType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.cunicu4j.signaling.proto.core.NetProto;
import org.cunicu4j.signaling.proto.epdisc.CandidateType;
import org.cunicu4j.signaling.proto.epdisc.EpdiscProto;
import org.cunicu4j.signaling.proto.epdisc.NetworkType;
import org.cunicu4j.signaling.proto.pdisc.PdiscProto;
import org.cunicu4j.signaling.proto.signaling.EncryptedMessage;
import org.cunicu4j.signaling.proto.signaling.Envelope;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.proto.signaling.RelayProto;
import org.cunicu4j.signaling.proto.signaling.RelayRegistryGrpc;
import org.cunicu4j.signaling.proto.signaling.SignalingGrpc;
import org.cunicu4j.signaling.proto.signaling.SignalingProto;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.signaling.seal.OpenResult;
import org.cunicu4j.signaling.seal.SealedBox;
import org.cunicu4j.signaling.seal.Sealer;
import org.cunicu4j.wireguard.Key;
import org.junit.jupiter.api.Test;

/**
 * The wire format, checked without trusting our generated classes: envelopes written with
 * raw field numbers parse as expected, our envelopes decode field by field by hand, and
 * every message, field number, enum value and method matches shared/spec/cunicu-compat.md.
 */
class WireCompatibilityTest {

    private final Key alice = Key.generatePrivate();
    private final Key bob = Key.generatePrivate();

    private static byte[] raw(Consumer<CodedOutputStream> writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        writer.accept(out);
        try {
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private interface IoWriter {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] write(IoWriter writer) {
        return raw(out -> {
            try {
                writer.write(out);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void handBuiltEnvelopeParsesAndOpens() throws Exception {
        // Message{credentials(1){ufrag(1), pwd(2), need_creds(3)}, candidate(2){type(1)=HOST,
        // network_type(2)=UDP4, port(8)}} built with raw field numbers
        byte[] credentials = write(out -> {
            out.writeString(1, "ufragufragufragu");
            out.writeString(2, "passwordpasswordpasswordpassword");
            out.writeBool(3, true);
        });
        byte[] candidate = write(out -> {
            out.writeEnum(1, 1);
            out.writeEnum(2, 1);
            out.writeString(7, "192.0.2.1");
            out.writeInt32(8, 51820);
        });
        byte[] message = write(out -> {
            out.writeByteArray(1, credentials);
            out.writeByteArray(2, candidate);
        });
        byte[] nonce = new byte[24];
        new Random(42).nextBytes(nonce);
        byte[] body = SealedBox.seal(message, nonce, bob.publicKey().bytes(), alice.bytes());
        byte[] contents = write(out -> {
            out.writeByteArray(1, body);
            out.writeByteArray(2, nonce);
        });
        byte[] envelopeBytes = write(out -> {
            out.writeByteArray(1, alice.publicKey().bytes());
            out.writeByteArray(2, bob.publicKey().bytes());
            out.writeByteArray(3, contents);
        });

        Envelope envelope = Envelope.parseFrom(envelopeBytes);

        assertThat(envelope.getSender().toByteArray()).isEqualTo(alice.publicKey().bytes());
        assertThat(envelope.getRecipient().toByteArray()).isEqualTo(bob.publicKey().bytes());
        assertThat(envelope.getContents().getBody().toByteArray()).isEqualTo(body);
        assertThat(envelope.getContents().getNonce().toByteArray()).isEqualTo(nonce);
        assertThat(envelope.getUnknownFields().asMap()).isEmpty();
        assertThat(envelope.toByteArray()).isEqualTo(envelopeBytes);

        OpenResult opened = Sealer.open(envelope, KeyPair.of(bob, alice.publicKey()));
        assertThat(opened).isInstanceOfSatisfying(OpenResult.Opened.class, o -> {
            Message m = o.message();
            assertThat(m.getCredentials().getUfrag()).isEqualTo("ufragufragufragu");
            assertThat(m.getCredentials().getPwd()).isEqualTo("passwordpasswordpasswordpassword");
            assertThat(m.getCredentials().getNeedCreds()).isTrue();
            assertThat(m.getCandidate().getType()).isEqualTo(CandidateType.HOST);
            assertThat(m.getCandidate().getNetworkType()).isEqualTo(NetworkType.UDP4);
            assertThat(m.getCandidate().getAddress()).isEqualTo("192.0.2.1");
            assertThat(m.getCandidate().getPort()).isEqualTo(51820);
            assertThat(m.getUnknownFields().asMap()).isEmpty();
        });
    }

    @Test
    void emptyMarkerEnvelopeIsZeroBytes() throws Exception {
        assertThat(Envelope.getDefaultInstance().toByteArray()).isEmpty();
        assertThat(Envelope.parseFrom(new byte[0])).isEqualTo(Envelope.getDefaultInstance());
    }

    @Test
    void ourEnvelopeDecodesFieldByFieldByHand() throws Exception {
        Message message = Message.newBuilder()
                .setCredentials(org.cunicu4j.signaling.proto.epdisc.Credentials.newBuilder()
                        .setUfrag("u").setPwd("p").setNeedCreds(true))
                .build();
        Envelope envelope = Sealer.seal(message, KeyPair.of(alice, bob.publicKey()));

        Map<Integer, ByteString> fields = readLengthDelimited(envelope.toByteArray());
        assertThat(fields).containsOnlyKeys(1, 2, 3);
        assertThat(fields.get(1).toByteArray()).isEqualTo(alice.publicKey().bytes());
        assertThat(fields.get(2).toByteArray()).isEqualTo(bob.publicKey().bytes());

        Map<Integer, ByteString> contents = readLengthDelimited(fields.get(3).toByteArray());
        assertThat(contents).containsOnlyKeys(1, 2);
        ByteString body = contents.get(1);
        ByteString nonce = contents.get(2);
        assertThat(nonce.size()).isEqualTo(24);

        byte[] plain = SealedBox.open(body.toByteArray(), nonce.toByteArray(), alice.publicKey().bytes(), bob.bytes());
        Map<Integer, ByteString> messageFields = readLengthDelimited(plain);
        assertThat(messageFields).containsOnlyKeys(1);
        CodedInputStream in = CodedInputStream.newInstance(messageFields.get(1).toByteArray());
        assertThat(in.readTag()).isEqualTo(tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED));
        assertThat(in.readString()).isEqualTo("u");
        assertThat(in.readTag()).isEqualTo(tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED));
        assertThat(in.readString()).isEqualTo("p");
        assertThat(in.readTag()).isEqualTo(tag(3, WireFormat.WIRETYPE_VARINT));
        assertThat(in.readBool()).isTrue();
        assertThat(in.isAtEnd()).isTrue();
    }

    /** A tag as on the wire: field number shifted by three, or the wire type. */
    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    /** Reads a message whose fields are all length-delimited and distinct. */
    private static Map<Integer, ByteString> readLengthDelimited(byte[] bytes) throws IOException {
        Map<Integer, ByteString> fields = new LinkedHashMap<>();
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            assertThat(WireFormat.getTagWireType(tag)).as("wire type of tag %d", tag)
                    .isEqualTo(WireFormat.WIRETYPE_LENGTH_DELIMITED);
            assertThat(fields.put(WireFormat.getTagFieldNumber(tag), in.readBytes())).isNull();
        }
        return fields;
    }

    @Test
    void messagesMatchTheSpec() {
        expect(CommonProto.getDescriptor(), "cunicu.Timestamp", "seconds:1:int32 nanos:2:int32");
        expect(CommonProto.getDescriptor(), "cunicu.BuildInfo", "version:1:string date:2:message commit:3:string"
                + " tag:4:string branch:5:string built_by:6:string os:7:string arch:8:string dirty:9:bool");
        expect(CommonProto.getDescriptor(), "cunicu.Empty", "");
        expect(NetProto.getDescriptor(), "cunicu.core.IPAddress", "addr:1:bytes");
        expect(NetProto.getDescriptor(), "cunicu.core.IPPrefix", "addr:1:bytes pfxlen:2:uint32");
        expect(SignalingProto.getDescriptor(), "cunicu.signaling.Envelope",
                "sender:1:bytes recipient:2:bytes contents:3:message");
        expect(SignalingProto.getDescriptor(), "cunicu.signaling.EncryptedMessage", "body:1:bytes nonce:2:bytes");
        expect(SignalingProto.getDescriptor(), "cunicu.signaling.Message",
                "credentials:1:message candidate:2:message peer:3:message");
        expect(SignalingProto.getDescriptor(), "cunicu.signaling.SubscribeParams", "key:1:bytes");
        expect(RelayProto.getDescriptor(), "cunicu.signaling.RelayInfo",
                "url:1:string username:2:string password:3:string expires:4:message");
        expect(RelayProto.getDescriptor(), "cunicu.signaling.GetRelaysParams", "public_key:1:bytes");
        expect(RelayProto.getDescriptor(), "cunicu.signaling.GetRelaysResp", "relays:1:message[]");
        expect(EpdiscProto.getDescriptor(), "cunicu.epdisc.Credentials", "ufrag:1:string pwd:2:string need_creds:3:bool");
        expect(EpdiscProto.getDescriptor(), "cunicu.epdisc.Candidate", "type:1:enum network_type:2:enum"
                + " tcp_type:3:enum foundation:4:string component:5:int32 priority:6:int32 address:7:string"
                + " port:8:int32 related_address:9:message relay_protocol:10:enum");
        expect(EpdiscProto.getDescriptor(), "cunicu.epdisc.RelatedAddress", "address:1:string port:2:int32");
        expect(PdiscProto.getDescriptor(), "cunicu.pdisc.PeerDescription", "change:1:enum name:2:string"
                + " public_key:3:bytes public_key_new:4:bytes allowed_ips:5:string[] build_info:6:message"
                + " hosts:7:message[]");
        expect(PdiscProto.getDescriptor(), "cunicu.pdisc.PeerAddresses", "addresses:1:message[]");

        Descriptor message = SignalingProto.getDescriptor().findMessageTypeByName("Message");
        assertThat(message.isReservedNumber(4)).isTrue();
        assertThat(message.isReservedName("pske")).isTrue();
        FieldDescriptor hosts = PdiscProto.getDescriptor().findMessageTypeByName("PeerDescription")
                .findFieldByName("hosts");
        assertThat(hosts.isMapField()).isTrue();
        assertThat(hosts.getMessageType().findFieldByName("value").getMessageType().getFullName())
                .isEqualTo("cunicu.pdisc.PeerAddresses");
        assertThat(hosts.getMessageType().findFieldByName("key").getType()).isEqualTo(FieldDescriptor.Type.STRING);
    }

    @Test
    void enumsMatchTheSpec() {
        expectEnum(EpdiscProto.getDescriptor(), "CandidateType",
                "UNSPECIFIED_CANDIDATE_TYPE=0 HOST=1 SERVER_REFLEXIVE=2 PEER_REFLEXIVE=3 RELAY=4");
        expectEnum(EpdiscProto.getDescriptor(), "NetworkType", "UNSPECIFIED_NETWORK_TYPE=0 UDP4=1 UDP6=2 TCP4=3 TCP6=4");
        expectEnum(EpdiscProto.getDescriptor(), "TCPType", "UNSPECIFIED_TCP_TYPE=0 ACTIVE=1 PASSIVE=2 SIMULTANEOUS_OPEN=3");
        expectEnum(EpdiscProto.getDescriptor(), "RelayProtocol",
                "UNSPECIFIED_RELAY_PROTOCOL=0 UDP=1 TCP=2 TLS=3 DTLS=4");
        expectEnum(PdiscProto.getDescriptor(), "PeerDescriptionChange", "ADD=0 REMOVE=1 UPDATE=2");
    }

    @Test
    void servicesMatchTheSpec() {
        assertThat(SignalingGrpc.getGetBuildInfoMethod().getFullMethodName())
                .isEqualTo("cunicu.signaling.Signaling/GetBuildInfo");
        assertThat(SignalingGrpc.getSubscribeMethod().getFullMethodName()).isEqualTo("cunicu.signaling.Signaling/Subscribe");
        assertThat(SignalingGrpc.getSubscribeMethod().getType()).isEqualTo(MethodType.SERVER_STREAMING);
        assertThat(SignalingGrpc.getPublishMethod().getFullMethodName()).isEqualTo("cunicu.signaling.Signaling/Publish");
        assertThat(SignalingGrpc.getPublishMethod().getType()).isEqualTo(MethodType.UNARY);
        assertThat(RelayRegistryGrpc.getGetRelaysMethod().getFullMethodName())
                .isEqualTo("cunicu.signaling.RelayRegistry/GetRelays");

        var signaling = SignalingProto.getDescriptor().findServiceByName("Signaling");
        assertThat(signaling.getMethods()).extracting(m -> m.getName() + "(" + m.getInputType().getFullName() + ")"
                + m.getOutputType().getFullName()).containsExactly(
                        "GetBuildInfo(cunicu.Empty)cunicu.BuildInfo",
                        "Subscribe(cunicu.signaling.SubscribeParams)cunicu.signaling.Envelope",
                        "Publish(cunicu.signaling.Envelope)cunicu.Empty");
        var relays = RelayProto.getDescriptor().findServiceByName("RelayRegistry");
        assertThat(relays.getMethods()).extracting(m -> m.getName() + "(" + m.getInputType().getFullName() + ")"
                + m.getOutputType().getFullName()).containsExactly(
                        "GetRelays(cunicu.signaling.GetRelaysParams)cunicu.signaling.GetRelaysResp");
    }

    private static void expect(FileDescriptor file, String fullName, String fields) {
        Descriptor d = file.getMessageTypes().stream().filter(m -> m.getFullName().equals(fullName)).findFirst()
                .orElseThrow(() -> new AssertionError(fullName + " not in " + file.getName()));
        StringBuilder actual = new StringBuilder();
        for (FieldDescriptor f : d.getFields()) {
            if (!actual.isEmpty()) {
                actual.append(' ');
            }
            String type = switch (f.getJavaType()) {
                case MESSAGE -> "message";
                case ENUM -> "enum";
                case BYTE_STRING -> "bytes";
                default -> f.getType().name().toLowerCase(java.util.Locale.ROOT);
            };
            actual.append(f.getName()).append(':').append(f.getNumber()).append(':').append(type)
                    .append(f.isRepeated() ? "[]" : "");
        }
        assertThat(actual.toString()).as(fullName).isEqualTo(fields);
    }

    private static void expectEnum(FileDescriptor file, String name, String values) {
        EnumDescriptor e = file.findEnumTypeByName(name);
        StringBuilder actual = new StringBuilder();
        e.getValues().forEach(v -> actual.append(actual.isEmpty() ? "" : " ").append(v.getName()).append('=')
                .append(v.getNumber()));
        assertThat(actual.toString()).as(name).isEqualTo(values);
    }

    @Test
    void packagesAreTheSpecsPackages() {
        assertThat(CommonProto.getDescriptor().getPackage()).isEqualTo("cunicu");
        assertThat(NetProto.getDescriptor().getPackage()).isEqualTo("cunicu.core");
        assertThat(EpdiscProto.getDescriptor().getPackage()).isEqualTo("cunicu.epdisc");
        assertThat(PdiscProto.getDescriptor().getPackage()).isEqualTo("cunicu.pdisc");
        assertThat(SignalingProto.getDescriptor().getPackage()).isEqualTo("cunicu.signaling");
        assertThat(EncryptedMessage.getDescriptor().getFullName()).isEqualTo("cunicu.signaling.EncryptedMessage");
    }
}
