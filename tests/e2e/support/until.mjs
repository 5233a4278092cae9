// Polls a check until it answers something truthy (and answers that), or fails after `ms` with what it last saw.
export async function until(check, ms, every = 200) {
    const deadline = Date.now() + ms;
    let last;
    for (;;) {
        try {
            last = await check();
            if (last) {
                return last;
            }
        } catch (error) {
            last = error;
        }
        if (Date.now() > deadline) {
            throw new Error(`gave up after ${ms} ms; last saw: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, every));
    }
}
