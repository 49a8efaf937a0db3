package io.leafembed.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** A horizontal bar chart of texts/s per contender and model, drawn with Java2D (no dependency). */
final class BarChart {

    private BarChart() {}

    static void write(List<Report.Row> rows, Path png) throws IOException {
        int barHeight = 22;
        int labelWidth = 560;
        int chartWidth = 420;
        int height = 40 + rows.size() * (barHeight + 6);
        BufferedImage image = new BufferedImage(labelWidth + chartWidth + 120, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), height);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString("texts/s (one interleaved run; see report.md for the machine and load)", 10, 22);
        double max = rows.stream().mapToDouble(r -> r.m().textsPerSecond()).max().orElse(1);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int y = 36;
        for (Report.Row row : rows) {
            String label = row.m().model() + "  " + row.m().contender();
            g.setColor(Color.BLACK);
            g.drawString(label.length() > 80 ? label.substring(0, 80) : label, 10, y + 15);
            int width = (int) (chartWidth * row.m().textsPerSecond() / max);
            g.setColor(row.m().contender().startsWith("(a)") ? new Color(120, 120, 120)
                    : row.m().contender().startsWith("(b)") || row.m().contender().startsWith("(c)")
                            || row.m().contender().startsWith("(d)") ? new Color(40, 110, 200) : new Color(220, 120, 40));
            g.fillRect(labelWidth, y, Math.max(1, width), barHeight);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.0f (%.2f)", row.m().textsPerSecond(), row.ratio()),
                    labelWidth + width + 6, y + 15);
            y += barHeight + 6;
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }
}
