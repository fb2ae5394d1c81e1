package io.spilo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/** RFC 7386 JSON merge patch, as PATCH /config applies it: objects merge, {@code null} deletes, anything else replaces. */
public final class JsonMergePatch {
    private JsonMergePatch() {
    }

    public static ObjectNode apply(ObjectNode target, JsonNode patch) {
        ObjectNode result = target.deepCopy();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                result.remove(field.getKey());
            } else if (value.isObject()) {
                JsonNode existing = result.get(field.getKey());
                ObjectNode base = existing instanceof ObjectNode object ? object : result.objectNode();
                result.set(field.getKey(), apply(base, value));
            } else {
                result.set(field.getKey(), value.deepCopy());
            }
        }
        return result;
    }
}
