import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The api serves dist/ at / (silo copies it into its output as dashboard/). During `npm run dev`
// Vite proxies the API to a node started with ./run.sh.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    // no inline scripts or data: URLs, so the CSP can stay strict
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { "/api": "http://localhost:8080", "/health": "http://localhost:8080" },
  },
});
