"""Browser test of signing in: Debian's chromium, headless, driven by Selenium.

usage: signin_test.py BASE_URL VIEWER_TOKEN VIEWER_NAME
  BASE_URL  a running `bpm serve` with --auth-tokens, where VIEWER_TOKEN is a viewer's token

A wrong token is refused with a message on the page; the right one signs in, the pages say
who is signed in, and signing out returns to the sign-in page. Prints one line per check;
exit 1 on the first failure.
"""
import sys

from selenium.webdriver.common.by import By

from harness import check, chrome

base, token, name = sys.argv[1], sys.argv[2], sys.argv[3]


driver, wait = chrome()
try:
    driver.get(base + "/ui/instances")
    wait.until(lambda d: d.find_elements(By.ID, "token"))
    check("an unauthenticated page goes to the sign-in page", "/ui/login" in driver.current_url)

    driver.find_element(By.ID, "token").send_keys("wrong-token-wrong-token")
    driver.find_element(By.ID, "sign-in").click()
    wait.until(lambda d: d.find_elements(By.ID, "login-error"))
    message = driver.find_element(By.ID, "login-error").text
    check("a wrong token is refused with a message: " + message, "refused" in message)
    check("and nobody is signed in", driver.find_elements(By.ID, "signed-in") == [])

    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "sign-in").click()
    wait.until(lambda d: d.find_elements(By.ID, "signed-in"))
    who = driver.find_element(By.ID, "signed-in").text
    check("the right token signs in: " + who, f"signed in as {name} (viewer)" in who)
    driver.get(base + "/ui/instances")
    check("other pages say so too", f"signed in as {name}" in driver.find_element(By.ID, "signed-in").text)

    driver.find_element(By.ID, "sign-out").click()
    wait.until(lambda d: d.find_elements(By.ID, "token"))
    driver.get(base + "/ui/instances")
    wait.until(lambda d: d.find_elements(By.ID, "token"))
    check("after signing out the pages need signing in again", "/ui/login" in driver.current_url)
finally:
    driver.quit()
