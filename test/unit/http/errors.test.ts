// errorBody must produce WebOb's exact bytes (checked against recorded Glance bodies); errorFormat picks by Accept.
import { describe, expect, it } from "vitest";
import { errorBody, errorFormat } from "../../../src/http/errors";
import { GOLDEN, GOLDEN_IMAGE_ID } from "../fixtures/golden-bodies";

const bytes = (s: string) => new TextEncoder().encode(s).byteLength;

describe("errorBody against the golden recordings", () => {
  it("golden 11: 409 with only a detail keeps WebOb's default explanation (Content-Length 219)", () => {
    const { body, type } = errorBody(409, "html", undefined, "Property no_such_property does not exist.");
    expect(body).toBe(GOLDEN.g11);
    expect(bytes(body)).toBe(219);
    expect(type).toBe("text/html; charset=UTF-8");
  });

  it("golden 12: 403 read-only, HTML-escaped quotes (164)", () => {
    const { body } = errorBody(403, "html", "Attribute 'status' is read-only.");
    expect(body).toBe(GOLDEN.g12);
    expect(bytes(body)).toBe(164);
  });

  it("golden 08: 400 invalid pointer (185) and golden 40: malformed JSON (157)", () => {
    expect(errorBody(400, "html", "Invalid JSON pointer for this resource: '/tags/-'").body).toBe(GOLDEN.g08);
    expect(bytes(GOLDEN.g08)).toBe(185);
    expect(errorBody(400, "html", "Malformed JSON in request body.").body).toBe(GOLDEN.g40);
    expect(bytes(GOLDEN.g40)).toBe(157);
  });

  it("golden 38/39/41: 404 HTML pages (181, 189, 155)", () => {
    expect(errorBody(404, "html", `No image found with ID ${GOLDEN_IMAGE_ID}`).body).toBe(GOLDEN.g38);
    expect(errorBody(404, "html", `Failed to find image ${GOLDEN_IMAGE_ID} to delete`).body).toBe(GOLDEN.g39);
    expect(errorBody(404, "html", "No image found with ID not-a-uuid").body).toBe(GOLDEN.g41);
    expect([GOLDEN.g38, GOLDEN.g39, GOLDEN.g41].map(bytes)).toEqual([181, 189, 155]);
  });

  it("golden 42: 404 JSON (139)", () => {
    const { body, type } = errorBody(404, "json", "No image found with ID 00000000-0000-0000-0000-000000000000");
    expect(body).toBe(GOLDEN.g42);
    expect(bytes(body)).toBe(139);
    expect(type).toBe("application/json");
  });

  it("golden 05: 415 puts the break before the <br />s (219)", () => {
    const { body } = errorBody(415, "html", "The request media type application/json is not supported by this server.");
    expect(body).toBe(GOLDEN.g05);
    expect(bytes(body)).toBe(219);
  });

  it("golden 21: 416 with a detail (295)", () => {
    const { body } = errorBody(
      416,
      "html",
      undefined,
      "Invalid start position in Range header. Start position MUST be in the inclusive range [0, 1023].",
    );
    expect(body).toBe(GOLDEN.g21);
    expect(bytes(body)).toBe(295);
  });
});

describe("errorBody: other renderings from api-spec §10.1", () => {
  it("404 in all three formats", () => {
    expect(errorBody(404, "html", "No image found with ID 1f2d").body).toBe(
      "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  No image found with ID 1f2d<br /><br />\n\n\n\n </body>\n</html>",
    );
    expect(bytes(errorBody(404, "html", "No image found with ID 1f2d").body)).toBe(149);
    expect(errorBody(404, "json", "No image found with ID 1f2d").body).toBe(
      '{"message": "No image found with ID 1f2d<br /><br />\\n\\n\\n", "code": "404 Not Found", "title": "Not Found"}',
    );
    const plain = errorBody(404, "plain", "No image found with ID 1f2d");
    expect(plain.body).toBe("404 Not Found\n\nNo image found with ID 1f2d\n\n   ");
    expect(plain.type).toBe("text/plain; charset=UTF-8");
  });

  it("default explanations per status (JSON)", () => {
    const json = (status: number, e?: string, d?: string) => JSON.parse(errorBody(status, "json", e, d).body);
    expect(json(401)).toEqual({
      message:
        "This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.<br /><br />\n\n\n",
      code: "401 Unauthorized",
      title: "Unauthorized",
    });
    expect(errorBody(404, "json").body).toBe(
      '{"message": "The resource could not be found.<br /><br />\\n\\n\\n", "code": "404 Not Found", "title": "Not Found"}',
    );
    expect(errorBody(403, "json", "Attribute 'status' is read-only.").body).toBe(
      '{"message": "Attribute \'status\' is read-only.<br /><br />\\n\\n\\n", "code": "403 Forbidden", "title": "Forbidden"}',
    );
    expect(errorBody(409, "json", "Image status transition from active to saving is not allowed").body).toBe(
      '{"message": "Image status transition from active to saving is not allowed<br /><br />\\n\\n\\n", "code": "409 Conflict", "title": "Conflict"}',
    );
    expect(errorBody(413, "json", "The incoming image is too large: The provided image is too large.").body).toBe(
      '{"message": "The incoming image is too large: The provided image is too large.<br /><br />\\n\\n\\n", "code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}',
    );
    expect(errorBody(400, "json", "Invalid sort direction: up").body).toBe(
      '{"message": "Invalid sort direction: up<br /><br />\\n\\n\\n", "code": "400 Bad Request", "title": "Bad Request"}',
    );
    expect(json(500).message).toBe(
      "The server has either erred or is incapable of performing the requested operation.<br /><br />\n\n\n",
    );
    expect(json(500).code).toBe("500 Internal Server Error");
  });

  it("415 with a detail (master's upload form)", () => {
    expect(
      errorBody(
        415,
        "json",
        "The request media type application/json is not supported by this server.",
        "Invalid content type application/json",
      ).body,
    ).toBe(
      '{"message": "The request media type application/json is not supported by this server.\\n<br /><br />\\nInvalid content type application/json", "code": "415 Unsupported Media Type", "title": "Unsupported Media Type"}',
    );
  });

  it("405 uses WebOb's own template: nothing after the <br />s but one line break", () => {
    expect(errorBody(405, "json", "The method POST is not allowed for this resource. ").body).toBe(
      '{"message": "The method POST is not allowed for this resource. <br /><br />\\n", "code": "405 Method Not Allowed", "title": "Method Not Allowed"}',
    );
    expect(errorBody(405, "html", "The method POST is not allowed for this resource. ").body).toBe(
      "<html>\n <head>\n  <title>405 Method Not Allowed</title>\n </head>\n <body>\n  <h1>405 Method Not Allowed</h1>\n  The method POST is not allowed for this resource. <br /><br />\n\n </body>\n</html>",
    );
  });

  it("409 with a detail as plain text", () => {
    expect(errorBody(409, "plain", undefined, "Property x does not exist.").body).toBe(
      "409 Conflict\n\nThere was a conflict when trying to complete your request.\n\n Property x does not exist.  ",
    );
  });

  it("HTML escapes explanation and detail; JSON and plain do not", () => {
    const e = `<script>alert("x")</script> & 'q'`;
    expect(errorBody(400, "html", e).body).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;<br /><br />",
    );
    expect(JSON.parse(errorBody(400, "json", e).body).message).toBe(`${e}<br /><br />\n\n\n`);
    expect(errorBody(409, "html", undefined, "<b>").body).toContain("<br /><br />\n&lt;b&gt;\n\n\n");
  });

  it("JSON is ASCII-only like Python's json.dumps (non-ASCII as \\u escapes)", () => {
    const { body } = errorBody(404, "json", "No image found with ID é😀\u007f");
    expect(body).toBe(
      '{"message": "No image found with ID \\u00e9\\ud83d\\ude00\\u007f<br /><br />\\n\\n\\n", "code": "404 Not Found", "title": "Not Found"}',
    );
    expect(JSON.parse(body).message).toBe("No image found with ID é😀\u007f<br /><br />\n\n\n");
  });
});

describe("errorFormat (WebOb offers text/html, then application/json)", () => {
  it.each([
    ["*/*", "html"],
    ["text/html", "html"],
    ["text/*", "html"],
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"],
    ["application/json", "json"],
    ["application/*", "json"],
    ["application/json, */*;q=0.1", "json"],
    ["application/json;q=0.5, text/html", "html"],
    ["application/json, text/html", "html"],
    ["text/html;q=0.2, application/json;q=0.9", "json"],
    ["text/plain", "plain"],
    ["application/xml", "plain"],
    ["text/html;q=0, application/json;q=0", "plain"],
    ["", "plain"],
    ["  ", "plain"],
    [undefined, "plain"],
  ] as const)("Accept %j -> %s", (accept, format) => {
    expect(errorFormat(accept)).toBe(format);
  });
});
