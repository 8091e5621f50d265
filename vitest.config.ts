import { defineConfig } from 'vitest/config';

// One test file at a time: the suite runs real ffmpeg, onnxruntime, PyTorch and Chromium on 2 cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
