package io.github.httpbandwidth.servlet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A template as JAX-RS reads it (literal text, {@code {name}} for one path segment or a part of one, and
 * {@code {name: regex}}): a pattern for paths that begin with what it matches, and its variables' names.
 */
record JaxRsTemplate(Pattern prefix, List<String> variables) {

    /** Empty when the braces do not pair or a regex does not compile. Linear in the template's length. */
    static Optional<JaxRsTemplate> parse(String template) {
        StringBuilder regex = new StringBuilder();
        List<String> variables = new ArrayList<>();
        int literal = 0;
        int i = 0;
        while (i < template.length()) {
            if (template.charAt(i) != '{') {
                i++;
                continue;
            }
            if (i > literal) {
                regex.append(Pattern.quote(template.substring(literal, i)));
            }
            int depth = 1;
            int end = i + 1;
            for (; end < template.length() && depth > 0; end++) {
                char c = template.charAt(end);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            }
            if (depth != 0) {
                return Optional.empty();
            }
            String variable = template.substring(i + 1, end - 1);
            int colon = variable.indexOf(':');
            variables.add((colon < 0 ? variable : variable.substring(0, colon)).trim());
            regex.append("(?:").append(colon < 0 ? "[^/]+" : variable.substring(colon + 1).trim()).append(')');
            i = end;
            literal = end;
        }
        if (literal < template.length()) {
            regex.append(Pattern.quote(template.substring(literal)));
        }
        try {
            return Optional.of(new JaxRsTemplate(Pattern.compile(regex.append("(?:/.*)?").toString()),
                    List.copyOf(variables)));
        } catch (PatternSyntaxException e) {
            return Optional.empty();
        }
    }

    /** Whether this template can be what matched {@code path}, whose path parameters have the names given. */
    boolean matched(String path, Set<String> parameters) {
        return parameters.containsAll(variables) && prefix.matcher(path).matches();
    }
}
