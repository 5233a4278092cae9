// The player page's elements, by their ids in player.html.
export const $ = (id) => document.getElementById(id);
