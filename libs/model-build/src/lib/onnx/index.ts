/** ONNX serialisation and a typed graph builder, shared by the converter, the student and the teacher builders. */
export { OnnxGraphBuilder, float, floats, type AttrValue, type Dim, type ModelOptions } from './graph-builder';
export { OnnxDataType, encodeOnnxModel, decodeOnnxModel, type ModelMessage } from './proto';
