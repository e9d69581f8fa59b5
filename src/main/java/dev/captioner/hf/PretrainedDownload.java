package dev.captioner.hf;

import dev.captioner.util.CaptionerException;
import dev.captioner.util.CaptionerHome;
import dev.captioner.util.Downloader;
import dev.captioner.util.RemoteFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A published pretrained folder that {@code captioner weights download NAME} fetches from the
 * Hugging Face model hub into {@code $CAPTIONER_HOME/models/NAME}: the small files at the top,
 * the variant's ONNX graphs in {@code onnx/}, each checked against its recorded SHA-256 and size
 * (an interrupted download resumes; a file that changed upstream is refused, not used).
 *
 * @param id the name the command takes
 * @param repository the hub repository
 * @param revision the revision fetched; the hub's files are pinned by their checksums
 * @param files every file, its path inside the folder, size and SHA-256
 */
public record PretrainedDownload(String id, String repository, String revision, List<File> files) {

    /**
     * One file of the folder.
     *
     * @param path its path inside the folder ({@code onnx/encoder_model.onnx})
     * @param size bytes
     * @param sha256 its SHA-256
     * @param variant the variant it belongs to, or null for a file every variant needs
     */
    public record File(String path, long size, String sha256, String variant) {}

    /**
     * {@code nlpconnect/vit-gpt2-image-captioning} (Apache-2.0) as Xenova exported it to ONNX for
     * Transformers.js. The sizes and SHA-256 are those of the repository's files and Git LFS
     * pointers; the repository publishes no tagged release, so {@code main} is fetched and the
     * checksums hold it still.
     */
    public static final PretrainedDownload VIT_GPT2 = new PretrainedDownload("vit-gpt2-image-captioning",
            "Xenova/vit-gpt2-image-captioning", "main", List.of(
                new File("config.json", 4_888, "f65c81039a672962d686f71ee0242f0c89dc020a0e3f193a989a696bf3f9515e", null),
                new File("generation_config.json", 184,
                        "997e1f943576edcc46e1b93078ec0e72054a62b4c7f521da42a1eab43c4c1d0c", null),
                new File("preprocessor_config.json", 378,
                        "76304e9a1deb0d5f78349a57ad9d8057f36476c29bd292e907e2e8c451c93e9d", null),
                new File("special_tokens_map.json", 131,
                        "8bcf4e58d0970bbcb3b111a4c1e297c082fbf61253b14b3c0c8f2972ccb61ba4", null),
                new File("tokenizer.json", 2_107_928, "6e785cd4f004c9291dadeba7d8d1c2871318d368a1cfcd416c0571dcd8f11413", null),
                new File("tokenizer_config.json", 456, "5b477c376e81670409e943fc7c8233a0356c8488e05a8aa246082a1d29e8d609", null),
                new File("onnx/encoder_model.onnx", 343_440_631L,
                        "1e624fcd6a4a6a702dd1b60244adc6b6cbd169dcf3fbf9643be21a9bcf090b29", "default"),
                new File("onnx/decoder_model_merged.onnx", 615_025_088L,
                        "df4abab679e8fa8d5c2140dd1ce83d136e7d47bc08008c9d8b3860643c502776", "default"),
                new File("onnx/encoder_model_quantized.onnx", 87_453_213L,
                        "6f6e2e27c11303cf533682184543333e7ecb930a734197a0272a1e408aba2766", "quantized"),
                new File("onnx/decoder_model_merged_quantized.onnx", 158_599_996L,
                        "1f3ec53b5fc3614c0b54ee786755a7ec3007841f57543f8e241499edfadfa98f", "quantized")));

    /** Every pretrained folder the command knows. */
    public static final List<PretrainedDownload> CATALOG = List.of(VIT_GPT2);

    /**
     * @param name a name such as {@code vit-gpt2-image-captioning}
     * @return the entry, or null if it names none
     */
    public static PretrainedDownload find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return CATALOG.stream().filter(d -> d.id.equals(n)).findFirst().orElse(null);
    }

    /**
     * A graph is code: before one from captioner's home (where downloads go, and where anyone who
     * may write there could plant one) is opened, every file the variant needs is hashed and
     * compared with the catalogue. A folder elsewhere is the user's own and is not checked.
     *
     * @param dir a pretrained folder about to be opened
     * @param variant the variant about to run
     * @throws CaptionerException naming the first file whose SHA-256 is not the published one
     */
    public static void verifyIfCatalogued(Path dir, String variant) {
        for (PretrainedDownload d : CATALOG) {
            if (!sameFolder(dir, d.folder())) {
                continue;
            }
            for (File f : d.filesOf(variant)) {
                Path file = dir.resolve(f.path());
                if (!java.nio.file.Files.isRegularFile(file)) {
                    continue; // missing files are named by the loader
                }
                String sha = dev.captioner.util.Digests.sha256(file);
                if (!sha.equals(f.sha256())) {
                    throw new CaptionerException(file + ": SHA-256 " + sha + ", not the published file's " + f.sha256()
                            + "; it changed since it was downloaded (delete it and run 'captioner weights download "
                            + d.id() + "' again)");
                }
            }
        }
    }

    private static boolean sameFolder(Path a, Path b) {
        try {
            return java.nio.file.Files.isDirectory(b) && java.nio.file.Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** @return where it goes: {@code $CAPTIONER_HOME/models/ID} */
    public Path folder() {
        return CaptionerHome.model(id);
    }

    /**
     * @param variant {@code default} or {@code quantized}
     * @return the files that variant needs
     */
    public List<File> filesOf(String variant) {
        String v = PretrainedCaptioner.knownVariant(variant);
        return files.stream().filter(f -> f.variant() == null || f.variant().equals(v)).toList();
    }

    /**
     * Fetches the variant's files into a folder, each verified; those already there are checked
     * again, not fetched.
     *
     * @param variant {@code default} or {@code quantized}
     * @param dir the folder
     * @param downloader fetches with retries and resume
     * @param mirror a base address holding the same paths, or null for the hub
     * @return {@code dir}
     * @throws CaptionerException offline: one message naming every address and where to put it
     */
    public Path download(String variant, Path dir, Downloader downloader, String mirror) {
        List<String> unreachable = new ArrayList<>();
        for (File f : filesOf(variant)) {
            String base = mirror != null ? (mirror.endsWith("/") ? mirror : mirror + "/")
                    : "https://huggingface.co/" + repository + "/resolve/" + revision + "/";
            int slash = f.path().lastIndexOf('/');
            Path into = slash < 0 ? dir : dir.resolve(f.path().substring(0, slash));
            RemoteFile remote = new RemoteFile(f.path().substring(slash + 1), List.of(base + f.path()), null, f.sha256(),
                    f.size());
            try {
                downloader.fetch(remote, into);
            } catch (Downloader.DownloadFailedException e) {
                if (!e.unreachable()) {
                    throw e;
                }
                unreachable.add(base + f.path());
            }
        }
        if (!unreachable.isEmpty()) {
            throw new CaptionerException("cannot reach the download address" + (unreachable.size() == 1 ? "" : "es")
                    + " of " + id + " (offline, or blocked?): fetch " + String.join(", ", unreachable) + " by hand into "
                    + dir.toAbsolutePath() + " keeping their paths (onnx/ for the graphs), or from a mirror with "
                    + "'captioner weights download " + id + " --mirror URL'");
        }
        return dir;
    }
}
