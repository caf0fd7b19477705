"""TF Serving's gRPC messages, built at import from our own `.proto` files (in `protos/`).

`protos/*.proto` are written from TF Serving's public API (same packages,
message names and field numbers, so the wire format is the same). They are
compiled once, at development time, into a `FileDescriptorSet`
(`_tf_serving_descriptors.py`), and the message classes are made from it at
import into a private descriptor pool. No generated `_pb2` code is shipped,
so any protobuf runtime from 4.25 on works, and TensorFlow's own protos (same
names) can be imported in the same process without a clash.

After editing a `.proto` file, regenerate (grpcio-tools in any venv):

    python -m kerasverse.serving.compile_protos

Example:

>>> from kerasverse.serving import tf_serving_protos as pb
>>> request = pb.PredictRequest()
>>> request.model_spec.name = "digits"
>>> pb.PredictRequest.FromString(request.SerializeToString()).model_spec.name
'digits'
"""

import base64

from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf import message_factory

from kerasverse.serving._tf_serving_descriptors import FILE_DESCRIPTOR_SET

SIGNATURE_DEF_MAP_TYPE_URL = "type.googleapis.com/tensorflow.serving.SignatureDefMap"

pool = descriptor_pool.DescriptorPool()
for _file in descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(FILE_DESCRIPTOR_SET)).file:
    pool.AddSerializedFile(_file.SerializeToString())


def _message(full_name: str):
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(full_name))


TensorProto = _message("tensorflow.TensorProto")
TensorShapeProto = _message("tensorflow.TensorShapeProto")
Example = _message("tensorflow.Example")
SignatureDef = _message("tensorflow.SignatureDef")
ModelSpec = _message("tensorflow.serving.ModelSpec")
PredictRequest = _message("tensorflow.serving.PredictRequest")
PredictResponse = _message("tensorflow.serving.PredictResponse")
ClassificationRequest = _message("tensorflow.serving.ClassificationRequest")
ClassificationResponse = _message("tensorflow.serving.ClassificationResponse")
RegressionRequest = _message("tensorflow.serving.RegressionRequest")
RegressionResponse = _message("tensorflow.serving.RegressionResponse")
GetModelMetadataRequest = _message("tensorflow.serving.GetModelMetadataRequest")
GetModelMetadataResponse = _message("tensorflow.serving.GetModelMetadataResponse")
SignatureDefMap = _message("tensorflow.serving.SignatureDefMap")
GetModelStatusRequest = _message("tensorflow.serving.GetModelStatusRequest")
GetModelStatusResponse = _message("tensorflow.serving.GetModelStatusResponse")
ModelVersionStatus = _message("tensorflow.serving.ModelVersionStatus")

DATA_TYPE = pool.FindEnumTypeByName("tensorflow.DataType")
ERROR_CODE = pool.FindEnumTypeByName("tensorflow.error.Code")

# Service name -> {method: (request class, response class)}: the gRPC paths are /service/method.
SERVICES = {
    service.full_name: {
        method.name: (message_factory.GetMessageClass(method.input_type), message_factory.GetMessageClass(method.output_type))
        for method in service.methods
    }
    for service in (pool.FindServiceByName("tensorflow.serving.PredictionService"),
                    pool.FindServiceByName("tensorflow.serving.ModelService"))
}
