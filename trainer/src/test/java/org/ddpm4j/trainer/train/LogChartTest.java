package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The run folder's charts put their data where the axes say. */
class LogChartTest {

    @Test
    void logAxisSpansWholeQuarterDecadesAndGrowsDownwards() {
        LogChart c = new LogChart(900, 500, 10, 100, 0.5, "t");
        // 10..100 is exactly one decade: 10 sits on the bottom edge, 100 on the top, sqrt(1000) half-way
        assertEquals(30 + 425, c.y(10), 1e-9);
        assertEquals(30, c.y(100), 1e-9);
        assertEquals(30 + 425 / 2.0, c.y(Math.sqrt(1000)), 1e-9);
        assertEquals(70, c.x(0), 1e-9);
        assertEquals(870, c.x(1), 1e-9);
        c.finish();
    }

    @Test
    void narrowRangesWidenAndBadRangesFallBack() {
        // 10..10.5 rounds out to 10^1..10^1.25, a quarter decade: widened upwards to half a decade
        LogChart narrow = new LogChart(900, 500, 10, 10.5, 0.5, "t");
        assertEquals(455, narrow.y(10), 1e-9);
        assertEquals(30, narrow.y(Math.pow(10, 1.5)), 1e-9);
        LogChart none = new LogChart(900, 500, Double.NaN, Double.NaN, 0.25, "t");
        assertEquals(30, none.y(1), 1e-9);
        assertEquals(455, none.y(1e-3), 1e-9);
    }

    @Test
    void fidChartMarksEachEvaluationAtItsHoursAndScore() {
        EvalHistory h = new EvalHistory();
        h.add(new EvalHistory.Row(1000, new TrainingClock(2 * 3600 * 0.3, 1000, 0, 2), 37.7, 0.3, 1000, 90));
        h.add(new EvalHistory.Row(2000, new TrainingClock(2 * 3600 * 0.56, 2000, 0, 2), 18.9, 0.57, 1000, 90));
        h.add(new EvalHistory.Row(3000, new TrainingClock(2 * 3600 * 0.85, 3000, 0, 2), Double.NaN, Double.NaN, 0, 1));
        BufferedImage img = h.plot(900, 500);
        LogChart axes = new LogChart(900, 500, 18.9, 37.7, 0.5, "t");
        // hours run to 1.0 (0.56 rounded up to a half hour): the dot of step 2,000 is at 0.56 of the width
        int x = (int) axes.x(0.56);
        int y = (int) axes.y(18.9);
        assertEquals(new Color(30, 90, 200).getRGB(), img.getRGB(x, y), "the blue dot of step 2,000");
        assertEquals(Color.WHITE.getRGB(), img.getRGB((int) axes.x(0.85), (int) axes.y(45)), "no mark for a NaN score");
    }

    @Test
    void lossChartsSmoothedCurveFollowsTheFallWithoutLag() {
        // as a real run: a loss near 1 for the first steps, then a plateau near 0.02
        LossHistory h = new LossHistory();
        for (int s = 1; s <= 5100; s++) {
            h.add(s, s <= 100 ? 1f : 0.02f, 1e-4, 1);
        }
        BufferedImage img = h.plot(900, 500);
        LogChart axes = new LogChart(900, 500, 0.02, 1, 0.25, "t");
        int x = (int) axes.x((600.0 - 1) / (5100 - 1));
        assertTrue(blueNear(img, x, axes.y(0.02)), "the smoothed curve is on the plateau by step 600");
        assertTrue(!blueNear(img, x, axes.y(0.15)), "not still coming down from step 1's loss");
        assertEquals(500, new LossHistory().plot(900, 500).getHeight());
    }

    private static boolean blueNear(BufferedImage img, int x, double y) {
        for (int dy = -2; dy <= 2; dy++) {
            if (img.getRGB(x, (int) Math.round(y) + dy) == new Color(30, 90, 200).getRGB()) {
                return true;
            }
        }
        return false;
    }
}
