"""Compares our gateway.proto with the wire contract a real client was built from: every
service method (name, request, response, streaming) and every message field (name, number,
type, label) that pyzeebe 4.7.0's generated gateway_pb2 knows must be the same in ours.

  proto_contract_test.py PROTO_DIR   (needs protoc; run with pyzeebe's venv python)
"""
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2
from pyzeebe.proto import gateway_pb2


def ours(proto_dir):
    with tempfile.NamedTemporaryFile(suffix=".pb") as out:
        subprocess.run(["protoc", f"--proto_path={proto_dir}", f"--descriptor_set_out={out.name}", "gateway.proto"],
                       check=True)
        fds = descriptor_pb2.FileDescriptorSet.FromString(open(out.name, "rb").read())
    return fds.file[0]


def theirs():
    proto = descriptor_pb2.FileDescriptorProto()
    gateway_pb2.DESCRIPTOR.CopyToProto(proto)
    return proto


def messages(file):
    out = {}

    def walk(prefix, msgs):
        for m in msgs:
            name = prefix + m.name
            out[name] = {f.name: (f.number, f.type, f.label, f.type_name.split(".")[-1]) for f in m.field}
            walk(name + ".", m.nested_type)
    walk("", file.message_type)
    return out


def methods(file):
    return {m.name: (m.input_type, m.output_type, m.server_streaming, m.client_streaming)
            for s in file.service for m in s.method}


def main():
    mine, ref = ours(sys.argv[1]), theirs()
    problems = []
    if mine.package != ref.package:
        problems.append(f"package {mine.package} is not {ref.package}")
    if [s.name for s in mine.service] != [s.name for s in ref.service]:
        problems.append("service names differ")
    my_methods = methods(mine)
    for name, shape in methods(ref).items():
        if my_methods.get(name) != shape:
            problems.append(f"rpc {name}: ours {my_methods.get(name)}, the client's {shape}")
    my_messages = messages(mine)
    for name, fields in messages(ref).items():
        for field, shape in fields.items():
            if my_messages.get(name, {}).get(field) != shape:
                problems.append(f"{name}.{field}: ours {my_messages.get(name, {}).get(field)}, the client's {shape}")
    for p in problems:
        print(f"FAIL {p}")
    if problems:
        sys.exit(1)
    print(f"ok   {len(my_methods)} RPCs and {sum(map(len, my_messages.values()))} fields match the client's contract")


main()
