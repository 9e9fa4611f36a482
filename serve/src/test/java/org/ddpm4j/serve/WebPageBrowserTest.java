package org.ddpm4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.ddpm4j.fid.TinyOnnx;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real headless browser: Debian's chromium and chromedriver, driven by Selenium, offline
 * (the driver is given, so Selenium Manager downloads nothing). Skipped when chromium is not installed,
 * except under CI ({@code CI} or {@code DDPM4J_BROWSER_TESTS=required} set), where that fails.
 */
class WebPageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @Test
    void thePageDrawsAGridOfImages() throws Exception {
        requireBrowser();
        Path model = TinyOnnx.conditionalDenoiser(dir.resolve("tiny.onnx"), 1, 8);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        try (ImageServer server = ImageServer.start(ServeSettings.defaults(model)).awaitReady()) {
            WebDriver browser = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                browser.get(server.uri().toString() + "/");
                wait.until(b -> "true".equals(b.findElement(By.tagName("body")).getAttribute("data-ready")));
                new Select(browser.findElement(By.id("class"))).selectByVisibleText("1 bright");
                setValue(browser, "count", "6");
                setValue(browser, "steps", "5");
                setValue(browser, "seed", "40");
                browser.findElement(By.id("draw")).click();
                wait.until(b -> b.findElements(By.cssSelector("img.result-image")).size() == 6);
                List<WebElement> images = browser.findElements(By.cssSelector("img.result-image"));
                for (WebElement img : images) {
                    wait.until(b -> Boolean.TRUE.equals(((JavascriptExecutor) b).executeScript(
                            "return arguments[0].complete && arguments[0].naturalWidth > 0;", img)));
                    Object width = ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth;", img);
                    assertEquals(8L, ((Number) width).longValue(), "a decoded image is 8 pixels wide");
                }
                assertEquals("seed 40", images.get(0).getAttribute("alt"));
                assertTrue(browser.findElement(By.id("status")).getText().startsWith("6 image(s)"));

                setValue(browser, "steps", "99");
                browser.findElement(By.id("draw")).click();
                wait.until(b -> b.findElement(By.id("status")).getText().startsWith("field 'steps'"));
                assertTrue(browser.findElement(By.id("status")).getAttribute("class").contains("error"));
            } finally {
                browser.quit();
            }
        }
    }

    private static void setValue(WebDriver browser, String id, String value) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    private static void requireBrowser() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (present) {
            return;
        }
        String message = "the browser test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                + "): apt-get install -y chromium chromium-driver";
        if (System.getenv("CI") != null || "required".equals(System.getenv("DDPM4J_BROWSER_TESTS"))) {
            fail(message + " (required under CI)");
        }
        Assumptions.abort(message);
    }
}
