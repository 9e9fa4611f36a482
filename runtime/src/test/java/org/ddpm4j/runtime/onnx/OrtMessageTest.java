package org.ddpm4j.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** ONNX Runtime's messages reach users without its source paths and C++ signatures. */
class OrtMessageTest {

    @Test
    void theSourcePathAndCppSignatureAreDropped() {
        assertEquals("Error code - ORT_FAIL - message: Load model from m.onnx failed:ModelProto does not have a graph.",
                OnnxDenoiser.firstLine("Error code - ORT_FAIL - message: Load model from m.onnx failed:/onnxruntime_src/"
                        + "onnxruntime/core/graph/model.cc:177 onnxruntime::Model::Model(onnx::ModelProto&&, const "
                        + "onnxruntime::PathString&, const onnxruntime::logging::Logger&, const onnxruntime::ModelOptions&)"
                        + " ModelProto does not have a graph.\nmore"));
        assertEquals("Error code - ORT_INVALID_PROTOBUF - message: Load model from g.onnx failed:Protobuf parsing failed.",
                OnnxDenoiser.firstLine("Error code - ORT_INVALID_PROTOBUF - message: Load model from g.onnx failed:"
                        + "Protobuf parsing failed."));
    }
}
