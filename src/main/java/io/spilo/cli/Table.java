package io.spilo.cli;

import java.util.ArrayList;
import java.util.List;

/** A bordered text table like patronictl's, with an optional title in the top border. */
final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<Boolean> rightAligned;

    Table(List<String> headers, List<Boolean> rightAligned) {
        this.headers = List.copyOf(headers);
        this.rightAligned = List.copyOf(rightAligned);
    }

    void add(List<String> row) {
        rows.add(List.copyOf(row));
    }

    String render(String title) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder border = new StringBuilder("+");
        for (int width : widths) {
            border.append("-".repeat(width + 2)).append('+');
        }
        StringBuilder text = new StringBuilder();
        if (title.isEmpty()) {
            text.append(border).append('\n');
        } else {
            String top = "+ " + title + " ";
            text.append(top).append(top.length() < border.length() - 1 ? border.substring(top.length(), border.length() - 1) : "")
                    .append("+\n");
        }
        line(text, headers, widths, false);
        text.append(border).append('\n');
        for (List<String> row : rows) {
            line(text, row, widths, true);
        }
        text.append(border).append('\n');
        return text.toString();
    }

    private void line(StringBuilder text, List<String> cells, int[] widths, boolean align) {
        text.append('|');
        for (int i = 0; i < widths.length; i++) {
            String cell = cells.get(i);
            String padding = " ".repeat(widths[i] - cell.length());
            text.append(' ').append(align && rightAligned.get(i) ? padding + cell : cell + padding).append(" |");
        }
        text.append('\n');
    }
}
