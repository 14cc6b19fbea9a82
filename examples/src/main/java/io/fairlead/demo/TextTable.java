package io.fairlead.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with aligned columns: text columns left-aligned, number columns right-aligned.
 */
public final class TextTable {

  /** A column: its header, and whether its cells are numbers (right-aligned). */
  public record Column(String header, boolean numeric) {
    public static Column text(String header) {
      return new Column(header, false);
    }

    public static Column number(String header) {
      return new Column(header, true);
    }
  }

  private final List<Column> columns;
  private final List<List<String>> rows = new ArrayList<>();

  public TextTable(Column... columns) {
    this.columns = List.of(columns);
  }

  public TextTable row(Object... cells) {
    if (cells.length != columns.size()) {
      throw new IllegalArgumentException(
          "row has " + cells.length + " cells, the table " + columns.size() + " columns");
    }
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(String.valueOf(cell));
    }
    rows.add(row);
    return this;
  }

  /** The table's lines, each starting with {@code indent}, without trailing spaces. */
  public List<String> lines(String indent) {
    int[] widths = new int[columns.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = columns.get(c).header().length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(line(indent, widths, columns.stream().map(Column::header).toList()));
    for (List<String> row : rows) {
      lines.add(line(indent, widths, row));
    }
    return lines;
  }

  private String line(String indent, int[] widths, List<String> cells) {
    StringBuilder line = new StringBuilder(indent);
    for (int c = 0; c < widths.length; c++) {
      if (c > 0) {
        line.append("   ");
      }
      String cell = cells.get(c);
      String pad = " ".repeat(widths[c] - cell.length());
      line.append(columns.get(c).numeric() ? pad + cell : cell + pad);
    }
    return line.toString().stripTrailing();
  }
}
