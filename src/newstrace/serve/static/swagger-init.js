// Starts Swagger UI on /docs over this app's OpenAPI description (a file, since the page allows no inline script).
"use strict";
const element = document.getElementById("swagger-ui");
SwaggerUIBundle({ url: element.dataset.spec, domNode: element, deepLinking: false });
