package dev.deepmatch.it.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates a document against the {@code openAPIV3Schema} of a CustomResourceDefinition the way
 * the API server does for structural schemas, strictly: a field the schema does not declare is an
 * error unless a node says {@code x-kubernetes-preserve-unknown-fields: true} (so {@code jarUri}
 * for {@code jarURI} is caught). Covers what the CRDs of the Flink operator, Strimzi and the
 * Prometheus operator use: types, properties, additionalProperties, items, required, enum, minimum,
 * maximum, minLength, minItems, pattern, anyOf, oneOf, x-kubernetes-int-or-string.
 */
final class StructuralSchema {

    /** Fields every object of the API has at its root. */
    private static final java.util.Set<String> ROOT_FIELDS =
            java.util.Set.of("apiVersion", "kind", "metadata");

    private StructuralSchema() {}

    /** Every problem found, as {@code path: what}; empty when the document is valid. */
    static List<String> validate(JsonNode schema, JsonNode doc) {
        List<String> problems = new ArrayList<>();
        check(schema, doc, "", problems, true);
        return problems;
    }

    private static void check(
            JsonNode schema, JsonNode value, String path, List<String> out, boolean strict) {
        if (value == null || value.isNull()) {
            if (!schema.path("nullable").asBoolean(false) && schema.has("type")) {
                out.add(path + ": null where " + schema.get("type").asText() + " is expected");
            }
            return;
        }
        boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean(false);
        if (intOrString) {
            if (!(value.isIntegralNumber() || value.isTextual())) {
                out.add(path + ": must be an integer or a string");
            }
        } else if (schema.has("type")) {
            String type = schema.get("type").asText();
            boolean ok =
                    switch (type) {
                        case "object" -> value.isObject();
                        case "array" -> value.isArray();
                        case "string" -> value.isTextual();
                        case "integer" -> value.isIntegralNumber();
                        case "number" -> value.isNumber();
                        case "boolean" -> value.isBoolean();
                        default -> true;
                    };
            if (!ok) {
                out.add(path + ": must be " + type + ", is " + value.getNodeType());
                return;
            }
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode e : schema.get("enum")) {
                found |= e.equals(value) || (e.isTextual() && e.asText().equals(value.asText()));
            }
            if (!found) {
                out.add(path + ": '" + value.asText() + "' is not one of " + schema.get("enum"));
            }
        }
        if (value.isNumber()) {
            if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
                out.add(path + ": below the minimum " + schema.get("minimum"));
            }
            if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
                out.add(path + ": above the maximum " + schema.get("maximum"));
            }
        }
        if (value.isTextual()) {
            if (schema.has("minLength")
                    && value.asText().length() < schema.get("minLength").asInt()) {
                out.add(path + ": shorter than " + schema.get("minLength"));
            }
            if (schema.has("pattern")
                    && !Pattern.compile(schema.get("pattern").asText())
                            .matcher(value.asText())
                            .find()) {
                out.add(path + ": does not match " + schema.get("pattern"));
            }
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                out.add(path + ": fewer than " + schema.get("minItems") + " items");
            }
            if (schema.has("items")) {
                for (int i = 0; i < value.size(); i++) {
                    check(schema.get("items"), value.get(i), path + "[" + i + "]", out, strict);
                }
            }
        }
        if (value.isObject()) {
            for (JsonNode r : schema.path("required")) {
                if (!value.has(r.asText())) {
                    out.add(path + ": required field " + r.asText() + " is missing");
                }
            }
            boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String at = path + "." + f.getKey();
                if (path.isEmpty() && ROOT_FIELDS.contains(f.getKey())) {
                    // the API server's own (ObjectMeta is not the CRD's to declare)
                } else if (properties != null && properties.has(f.getKey())) {
                    check(properties.get(f.getKey()), f.getValue(), at, out, strict);
                } else if (additional != null && additional.isObject()) {
                    check(additional, f.getValue(), at, out, strict);
                } else if (strict
                        && !preserve
                        && !(additional != null && additional.asBoolean(false))) {
                    out.add(at + ": unknown field");
                }
            }
        }
        // anyOf / oneOf in structural schemas only add constraints to what is declared above.
        if (schema.has("anyOf") && !intOrString) {
            if (matching(schema.get("anyOf"), value, path) == 0) {
                out.add(path + ": matches none of anyOf");
            }
        }
        if (schema.has("oneOf")) {
            int n = matching(schema.get("oneOf"), value, path);
            if (n != 1) {
                out.add(path + ": matches " + n + " of oneOf, must match one");
            }
        }
    }

    private static int matching(JsonNode alternatives, JsonNode value, String path) {
        int n = 0;
        for (JsonNode alt : alternatives) {
            List<String> p = new ArrayList<>();
            check(alt, value, path, p, false);
            n += p.isEmpty() ? 1 : 0;
        }
        return n;
    }
}
