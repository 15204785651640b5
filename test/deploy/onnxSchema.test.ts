import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ONNX_PROTO_PATH, ONNX_SCHEMA_PATH, onnxSchemaModule } from '../../scripts/onnxSchema.js';

describe('the vendored ONNX schema', () => {
  it('the committed descriptor module is what scripts/onnxSchema.ts generates from onnx.proto', () => {
    const proto = readFileSync(ONNX_PROTO_PATH, 'utf8');
    expect(proto).toContain('SPDX-License-Identifier: Apache-2.0');
    expect(proto).toMatch(/^message ModelProto \{/m);
    expect(readFileSync(ONNX_SCHEMA_PATH, 'utf8')).toBe(onnxSchemaModule(proto));
  });
});
