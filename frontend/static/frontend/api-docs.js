// Swagger UI on our OpenAPI document, started from a file (not an inline script) so the strict CSP allows it.
"use strict";
(function () {
  const box = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: box.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
