package io.leafembed.pooling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.leafembed.testutils.LeafShapedModel;
import io.leafembed.testutils.Vectors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Dense layer as the Embedder runs it (a Gemm graph in ONNX Runtime) against the plain Java
 * layer with double sums: same values for every row of a batch, with and without bias, for each
 * activation, and in the right orientation ({@code [out, in]} weights).
 */
class OnnxDenseLayerTest {

    private static float[][] inputs(Random random, int rows, int in) {
        float[][] xs = new float[rows][in];
        for (float[] x : xs) {
            for (int i = 0; i < in; i++) {
                x[i] = (float) (random.nextGaussian() * 0.3);
            }
        }
        return xs;
    }

    private static float[] gaussian(Random random, int n, double scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }

    @Test
    void leafShapedProjectionEqualsTheJavaLayer() {
        DenseLayer reference = new DenseLayer(LeafShapedModel.HIDDEN, LeafShapedModel.DIMS,
                LeafShapedModel.orthonormalWeight(), null, Activation.IDENTITY);
        float[][] xs = inputs(new Random(5), 33, LeafShapedModel.HIDDEN);
        try (OnnxDenseLayer dense = new OnnxDenseLayer("test", reference)) {
            float[][] ys = dense.applyAll(xs);
            float[][] expected = reference.applyAll(xs);
            assertThat(ys).hasDimensions(33, LeafShapedModel.DIMS);
            for (int b = 0; b < xs.length; b++) {
                assertThat(Vectors.maxAbsDiff(ys[b], expected[b])).as("row %d", b).isLessThan(1e-5);
            }
        }
    }

    @Test
    void biasActivationsAndASingleRowMatchTheJavaLayer() {
        Random random = new Random(9);
        int in = 7;
        int out = 5; // not square: a transposed read would fail on shape or values
        float[] weight = gaussian(random, in * out, 0.5);
        float[] bias = gaussian(random, out, 0.5);
        for (Activation activation : Activation.values()) {
            DenseLayer reference = new DenseLayer(in, out, weight, bias, activation);
            try (OnnxDenseLayer dense = new OnnxDenseLayer("test", reference)) {
                for (int rows : new int[] {1, 4}) {
                    float[][] xs = inputs(random, rows, in);
                    float[][] ys = dense.applyAll(xs);
                    float[][] expected = reference.applyAll(xs);
                    for (int b = 0; b < rows; b++) {
                        assertThat(Vectors.maxAbsDiff(ys[b], expected[b])).as("%s, row %d of %d", activation, b, rows)
                                .isLessThan(1e-6);
                    }
                }
            }
        }
    }

    @Test
    void aVectorOfTheWrongSizeIsRefused() {
        try (OnnxDenseLayer dense = new OnnxDenseLayer("test", new DenseLayer(3, 2, new float[6], null,
                Activation.IDENTITY))) {
            assertThatThrownBy(() -> dense.applyAll(new float[][] {new float[4]}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expects 3 inputs");
        }
    }
}
