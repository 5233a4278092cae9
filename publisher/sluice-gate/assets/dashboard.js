// Draws the dashboard's plots from the figures the page carries (the same JSON as /v1/admin/stats/...), with
// uPlot. The page's tables already hold every number; the plots only draw them.
(() => {
    const data = document.getElementById('figures');
    if (!data || typeof uPlot !== 'function') {
        return;
    }
    const figures = JSON.parse(data.textContent);
    const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];
    const dayTime = (text) => Date.parse(`${text}T00:00:00Z`) / 1000;
    const width = (node) => Math.max(320, Math.min(1040, node.clientWidth || 720));

    // One line per series over the days: [{label, values, dash?}].
    function daily(id, title, days, series) {
        const node = document.getElementById(id);
        if (!node || days.length === 0) {
            return;
        }
        new uPlot({
            title, width: width(node), height: 260,
            // Days, in UTC as the gate counts them, with half a day of room on each side (a whole one around a
            // single day).
            scales: {x: {time: true, range: (u, min, max) => min === max ? [min - 86400, max + 86400]
                : [min - 43200, max + 43200]}},
            axes: [{incrs: [86400, 7 * 86400, 28 * 86400, 91 * 86400, 365 * 86400],
                values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toISOString().slice(0, 10))}, {}],
            series: [{value: (u, t) => t === null ? '--' : new Date(t * 1000).toISOString().slice(0, 10)},
                ...series.map((s, i) => ({
                    label: s.label, stroke: s.color ?? colors[i % colors.length], width: 2,
                    dash: s.dash, points: {show: true, size: 6},
                }))],
        }, [days.map(dayTime), ...series.map((s) => s.values)], node);
        node.dataset.drawn = 'true';
    }

    // Bars, one per stage: [{label, value}].
    function bars(id, title, stages) {
        const node = document.getElementById(id);
        if (!node) {
            return;
        }
        new uPlot({
            title, width: width(node), height: 260,
            scales: {x: {time: false, range: [-0.5, stages.length - 0.5]}},
            axes: [{values: (u, ticks) => ticks.map((t) => stages[t]?.label ?? ''), splits: () => stages.map((_, i) => i)}, {}],
            legend: {show: false},
            series: [{}, {label: 'count', fill: colors[0] + '99', stroke: colors[0], paths: uPlot.paths.bars({size: [0.6, 80]})}],
        }, [stages.map((_, i) => i), stages.map((s) => s.value)], node);
        node.dataset.drawn = 'true';
    }

    const sum = (rows, pick) => rows.reduce((n, row) => n + pick(row), 0);
    const unlocks = (row) => row.unlocks.email + row.unlocks.payment + row.unlocks.pledge;

    if (figures.bundleId) {
        const days = figures.days;
        daily('chart-views', 'Views per day', days.map((d) => d.day), [
            {label: 'views', values: days.map((d) => d.views)},
            {label: 'visitors', values: days.map((d) => d.visitors)},
            {label: 'returning', values: days.map((d) => d.returning)},
        ]);
        const funnel = figures.funnel;
        daily('chart-funnel-days', 'The funnel per day', funnel.map((d) => d.day), [
            {label: 'views', values: funnel.map((d) => d.views)},
            {label: 'downloads', values: funnel.map((d) => d.downloads)},
            {label: 'plays', values: funnel.map((d) => d.plays.started)},
            {label: 'watched to the end', values: funnel.map((d) => d.plays.finished)},
            {label: 'unlocks', values: funnel.map(unlocks)},
            {label: 'pledges', values: funnel.map((d) => d.pledges)},
            {label: 'charged', values: funnel.map((d) => d.charged)},
        ]);
        bars('chart-funnel', 'The funnel, all days', [
            {label: 'views', value: sum(funnel, (d) => d.views)},
            {label: 'downloads', value: sum(funnel, (d) => d.downloads)},
            {label: 'plays', value: sum(funnel, (d) => d.plays.started)},
            {label: 'unlocks', value: sum(funnel, unlocks)},
            {label: 'pledges', value: sum(funnel, (d) => d.pledges)},
            {label: 'charged', value: sum(funnel, (d) => d.charged)},
        ]);
        // The swarm: each day's seeds and leechers, over the info-hashes of every version.
        const swarm = new Map();
        for (const r of figures.swarm) {
            const day = swarm.get(r.day) ?? {seeds: 0, leechers: 0};
            day.seeds = Math.max(day.seeds, r.seeds);
            day.leechers = Math.max(day.leechers, r.leechers);
            swarm.set(r.day, day);
        }
        daily('chart-swarm', 'The swarm', [...swarm.keys()], [
            {label: 'seeds', values: [...swarm.values()].map((d) => d.seeds)},
            {label: 'leechers', values: [...swarm.values()].map((d) => d.leechers)},
        ]);
    }
    if (figures.campaignId) {
        const goal = figures.goal.backers !== null ? 'backers' : 'amount';
        const days = figures.days.map((d) => ({day: d.day, have: d[goal], need: d.needed[goal]}));
        // The line runs on to the goal on the deadline's day.
        if (days.length > 0 && days.at(-1).day < figures.goal.deadline) {
            days.push({day: figures.goal.deadline, have: null, need: figures.goal[goal]});
        }
        daily('chart-progress', `Progress toward the goal (${goal})`, days.map((d) => d.day), [
            {label: goal, values: days.map((d) => d.have)},
            {label: 'needed to be on track', values: days.map((d) => d.need), dash: [6, 4], color: '#888888'},
        ]);
    }
})();
