/**
 * ske2grid: Ske2Grid (Cai, Kang, Yao, Chen, ICML 2023) skeleton-to-grid action recognition as
 * TensorFlow.js layers. Importing this module registers the layer classes for `tf.loadLayersModel`.
 * @packageDocumentation
 */

// Errors
export { Ske2GridError, fail } from './errors.js';

// Size limits
export { LIMITS } from './limits.js';

// Skeleton layouts (plain data)
export { defineLayout, adjacencyPrior, type SkeletonLayout, type PriorMode } from './layouts/skeletonLayout.js';
export { COCO17 } from './layouts/coco17.js';
export { NTU25 } from './layouts/ntu25.js';
export { KINECT20 } from './layouts/kinect20.js';
export { resolveLayout, LAYOUT_NAMES, type LayoutName } from './layouts/registry.js';
export { boneParents } from './layouts/bones.js';

// Random sources
export { createRandom, shuffled, type Random } from './random/random.js';
export { NumpyRandomState } from './random/numpyRandomState.js';

// Safe pickle reading
export {
  unpickle,
  unpickleFirst,
  ALLOWED_PICKLE_GLOBALS,
  PickleGlobal,
  type UnpickleOptions,
  type PickleValue,
  type PickleExtension,
} from './pickle/unpickle.js';
export { float16ToFloat32, type NdArray, type NdArrayDType, type NdArrayData, type NumpyDtype, type Int64Mode } from './pickle/numpyArrays.js';

// PyTorch checkpoints
export { readTorchCheckpoint, TORCH_CHECKPOINT_GLOBALS, type ReadTorchCheckpointOptions, type TorchValue } from './torch/readTorchCheckpoint.js';
export {
  writeTorchCheckpoint,
  float32ToFloat16Bits,
  float32ToBfloat16Bits,
  type WriteTorchCheckpointOptions,
  type WritableTorchTensor,
  type TorchMetaValue,
} from './torch/writeTorchCheckpoint.js';
export { TorchTensor, isTorchTensor, type TorchTensorData } from './torch/torchTensor.js';
export { TORCH_DTYPES, type TorchDtype, type TorchDtypeInfo } from './torch/torchDtypes.js';

// Tensor ops
export { greedyAssignment, isPermutation, gumbelNoise } from './ops/greedyAssignment.js';
export { paddedConv2d, type PaddedConv2dOptions } from './ops/paddedConv2d.js';
export type { ChannelAffine } from './ops/foldBatchNorm.js';
export type { ConvActivation } from './ops/directConvolution.js';
export {
  CONV_FORMULATIONS,
  DEFAULT_CONV_FORMULATIONS,
  resolveConvFormulation,
  type ConvFormulation,
  type ConvFormulationSetting,
} from './ops/convFormulation.js';

// Layers
export { SkeletonNormalization, type SkeletonNormalizationArgs } from './layers/SkeletonNormalization.js';
export { UpsamplingTransform, type UpsamplingTransformArgs } from './layers/UpsamplingTransform.js';
export { GridIndexTransform, type GridIndexTransformArgs, type PermutationUpdateOptions } from './layers/GridIndexTransform.js';
export type { FoldedGridConvKernels } from './layers/foldedGridConv.js';
export { GridConvBlock, type GridConvBlockArgs, type ResidualMode } from './layers/GridConvBlock.js';
export { PersonGridPooling } from './layers/PersonGridPooling.js';
export type { Shape } from './layers/layerBase.js';

// Model: config, builder, progressive growth
export {
  resolveConfig,
  toPlainConfig,
  estimateModelSize,
  REFERENCE_BLOCKS,
  type Ske2GridConfig,
  type ResolvedSke2GridConfig,
  type BlockSpec,
  type ModelSizeEstimate,
} from './model/config.js';
export { buildSke2Grid, getModelConfig, layerNames, CONFIG_METADATA_KEY } from './model/buildSke2Grid.js';
export { setBatchNormFrozen } from './model/setBatchNormFrozen.js';
export {
  checkSkeletonInput,
  checkSkeletonInputAsync,
  checkOneHotLabels,
  checkOneHotLabelsAsync,
  guardSkeletonInputs,
  type CheckSkeletonInputOptions,
} from './model/checkSkeletonInput.js';
export { checkModelData, describeClipShape, type DataDescription } from './model/checkModelData.js';
export { growSke2Grid, embedGrid, type GrowOptions } from './model/growSke2Grid.js';
export { stageMixingMatrices } from './model/stageMixingMatrices.js';

// Skeleton data: the clip type, readers, transforms, batching, synthetic actions
export { generateSyntheticActions, SYNTHETIC_ACTION_CLASSES, type SyntheticActionOptions, type SyntheticActions } from './data/syntheticActions.js';
export {
  parseDatasetManifest,
  layoutFromManifest,
  datasetSplit,
  datasetProtocols,
  sequenceFromBuffer,
  sampleValueCount,
  expectedDataBytes,
  expectedScoreBytes,
  type DatasetManifest,
  type DatasetSampleEntry,
  type DatasetFormat,
  type DatasetJoints,
  type DatasetProtocol,
  type DatasetFold,
  type DatasetSplit,
  type SequenceFromBufferOptions,
} from './data/readers/datasetManifest.js';
export { posesToSequence, type PosesToSequenceOptions } from './data/readers/posesToSequence.js';
export { poseFrameToKeypoints, type PoseFrameToKeypointsOptions, type PoseFrameKeypoints } from './data/readers/poseFrameToKeypoints.js';
export { PoseTrackBuffer, type PoseTrackBufferOptions } from './data/readers/poseTrackBuffer.js';
export { PersonSlotTracker } from './data/readers/personSlotTracker.js';
export {
  toCocoPose,
  detectPoseFormat,
  BLAZEPOSE_TO_COCO17,
  POSE_FORMATS,
  type DetectedKeypoint,
  type DetectedPose,
  type PoseInput,
  type PoseFormat,
  type CocoPose,
  type PoseFrameOptions,
} from './data/readers/poseFormats.js';
export {
  readPysklAnnotations,
  PYSKL_ANNOTATION_COST,
  type PysklAnnotation,
  type PysklAnnotations,
  type PysklAnnotationsOptions,
} from './data/readers/pysklAnnotations.js';
export { normalize2D, type Normalize2DOptions } from './data/transforms/normalize2d.js';
export { normalize3D, type Normalize3DOptions } from './data/transforms/normalize3d.js';
export {
  findNormalizationJoints,
  findCenterJoint,
  NORMALIZATION_ROLES,
  type JointRef,
  type NormalizationJointRoles,
  type NormalizationJoints,
} from './data/transforms/normalizationJoints.js';
export { centerSequence, type CenterSequenceOptions } from './data/transforms/centerSequence.js';
export { uniformSampleIndices, type UniformSampleOptions } from './data/transforms/uniformSample.js';
export { sampleFrames } from './data/transforms/sampleFrames.js';
export { jointToBone, jointMotion, skeletonFeatures, type SkeletonFeature } from './data/transforms/skeletonFeatures.js';
export { selectPersons, type SelectPersonsOptions } from './data/transforms/selectPersons.js';
export {
  randomRotation,
  randomScale,
  gaussianNoise,
  type RandomRotationOptions,
  type RandomScaleOptions,
  type GaussianNoiseOptions,
} from './data/transforms/augment.js';
export { formatClips, type FormatClipsOptions, type FormattedClips } from './data/transforms/formatClips.js';
export { composeTransforms, type TransformStep } from './data/transforms/composeTransforms.js';
export { pysklTrainPipeline, pysklTestPipeline, type PysklPipelineOptions } from './data/transforms/pysklPipelines.js';
export { checkSequence, keypointIndex, type SkeletonSequence } from './data/skeletonSequence.js';
export { resolveIndices, sourceGet, sourceSize, type SequenceSource } from './data/sequenceSource.js';
export { clipBatchDataset, type ClipMaker, type ClipBatchOptions, type ClipBatch, type ClipBatchDataset, type BatchDataset } from './data/clipBatches.js';

// Training and evaluation
export { PermutationSync, syncPermutations, syncPermutationsAsync } from './training/permutationSync.js';
export { SgdWithWeightDecay, type SgdWithWeightDecayOptions } from './training/sgdWithWeightDecay.js';
export { CosineDecay, cosineLearningRate, type CosineDecayOptions } from './training/cosineDecay.js';
export { ProgressReporter, formatProgress, terminalProgress, type ProgressState } from './training/progress.js';
export { fitSke2Grid, logitsCrossEntropy, type FitSke2GridOptions } from './training/fitSke2Grid.js';
export { NonFiniteLossGuard } from './training/nonFiniteLossGuard.js';
export { trainProgressive, type ProgressiveStage, type TrainProgressiveOptions, type TrainProgressiveResult } from './training/trainProgressive.js';
export { tensorBatchDataset, type TensorBatchOptions } from './training/tensorBatchDataset.js';
export { seedTrainingRun, trainingSeed, type TrainingRandomness } from './training/trainingRandomness.js';
export {
  topKAccuracy,
  meanClassAccuracy,
  confusionMatrix,
  argmax,
  softmax,
  averageClipScores,
  evaluateScores,
  scoresFromTensor,
  labelsFromTensor,
  type ScoreRows,
  type EvaluateScoresOptions,
  type ScoreEvaluation,
  type DefaultTopK,
} from './training/metrics.js';
export { evaluateSke2Grid, predictLogits, type EvaluateOptions } from './training/evaluateSke2Grid.js';
export { fitSke2GridDataset, type FitSke2GridDatasetOptions } from './training/fitSke2Grid.js';
export { evaluateSequences, type EvaluateSequencesOptions, type SequenceEvaluation } from './training/evaluateSequences.js';
export { recipeFor, type TrainingRecipe, type RecipeOptions, type RecipeStage, type RecipeNormalization } from './training/recipeFor.js';
export { recipePipelines, type RecipePipelines } from './training/recipePipelines.js';

// Deployment
export { LAYER_CLASSES } from './deploy/layerClasses.js';
export {
  FixedGridMapping,
  isSelectionMatrix,
  type FixedGridMappingArgs,
  type GridMappingMode,
  type GridMappingParts,
} from './deploy/layers/FixedGridMapping.js';
export { FoldedGridConvBlock, type FoldedGridConvBlockArgs, type FoldedGridConvWeights, type FoldedResidual } from './deploy/layers/FoldedGridConvBlock.js';
export {
  compileForInference,
  compileForInferenceAsync,
  inferenceMarker,
  INFERENCE_METADATA_KEY,
  INFERENCE_FORMAT,
  type CompileInferenceOptions,
  type InferenceMarker,
} from './deploy/compileInference.js';
export { exportOnnx, ONNX_OPSET, ONNX_CLASS_NAMES_KEY, ONNX_CONFIG_KEY, type ExportOnnxOptions } from './deploy/exportOnnx.js';
export { decodeOnnxModel } from './deploy/onnx/encodeOnnxModel.js';
export { wasmThreadInfo, type WasmThreadInfo, type WasmThreadInfoOptions } from './deploy/wasmThreadInfo.js';
export { CROSS_ORIGIN_ISOLATION_HEADERS } from './deploy/crossOriginIsolation.js';
export { StreamingRecognizer, type StreamingRecognizerOptions, type StreamingWarmup } from './deploy/streamingRecognizer.js';

// Interop with the official code
export {
  loadOfficialWeights,
  exportOfficialStateDict,
  officialWeightMap,
  type OfficialWeightMapping,
  type StateDict,
  type StateDictTensor,
  type LoadOfficialWeightsOptions,
  type LoadOfficialWeightsReport,
} from './interop/officialWeights.js';
export { stateDictOf, type OfficialCheckpoint } from './interop/checkpointStateDict.js';
export { configFromStateDict } from './interop/configFromStateDict.js';
export { officialTorchStateDict } from './interop/officialTorchStateDict.js';
export { ParityFixture, type ParityManifest, type FixtureTensorEntry } from './interop/parityFixture.js';
export {
  runParity,
  runParityChecks,
  maxRelative,
  maxAbsolute,
  type ParityCheck,
  type ParityCheckKind,
  type ParityTolerances,
  type ParityOptions,
  type ParityReport,
  type ReluFlipEvidence,
  type LocatedReluUnit,
} from './interop/parityChecks.js';
export { decideParity, type ParityVerdict, type ParityVerdictOptions } from './interop/parityVerdict.js';
export type { ReluUnit } from './interop/reluGates.js';

// Pictures
export {
  renderGridSvg,
  renderUptSvg,
  gridStageFromMatrix,
  bodyPartOfCocoJoint,
  shortJointName,
  BODY_PART_GROUPS,
  type GridPictureStage,
  type GridCellJoint,
  type GridStageOptions,
  type GridSvgOptions,
  type UptSvgOptions,
} from './pictures/gridSvg.js';
export { renderTrainingCurvesSvg, type TrainingCurvePoint, type TrainingCurvesSvgOptions } from './pictures/trainingCurvesSvg.js';
export { bodyPartOfJointName } from './pictures/bodyParts.js';
