import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';

// creekd serves dist/ with a strict CSP (no inline script or style), so nothing may be inlined into
// index.html. Small assets may become data: URIs (the CSP allows img-src/font-src data:).
export default defineConfig({
  // Relative asset URLs: the console works at / and behind a reverse-proxy prefix alike.
  base: './',
  plugins: [
    vue(),
    // Element Plus on demand: <el-*> tags in templates are imported with their CSS at build time.
    // Only EP components are resolved; our own components are imported explicitly.
    Components({
      dirs: [],
      dts: false,
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No manualChunks: with a manualChunks function Rollup kept all of Element Plus (870 kB instead
    // of the few components used). Routes are lazy-loaded chunks instead.
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.js', 'tests/**/*.test.js'],
  },
});
