/**
 * The script and style of netpolx's HTML reports, as strings embedded in each page: no network
 * access, no external script, font or image. Vanilla JavaScript over one canvas: a heat map of a
 * truth table whose rows (sources) and columns (destinations) are namespaces, each expandable to
 * its endpoints; cells coloured by the share of allowed flows (or, comparing two sides, by whether
 * they differ); hovering shows counts, clicking shows the explanation of the flow under each side.
 *
 * The page's data (`html-reach.ts`) is one JSON object in `<script type="application/json"
 * id="data">`: endpoint ids and namespaces, per side the endpoint classes and per port a bit matrix
 * over class pairs, and per side, when small enough, every direction's explanation (deduplicated
 * texts, run-length encoded over peer classes).
 */

export const style = `
*{box-sizing:border-box}body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{padding:14px 20px;background:#1d2330;color:#fff}header h1{font-size:18px;margin:0 0 4px}header p{margin:0;color:#c9d1e0}
main{display:flex;gap:16px;padding:16px 20px;align-items:flex-start}#left{flex:1 1 auto;min-width:0}#side{flex:0 0 440px;position:sticky;top:12px}
.bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-bottom:10px}.bar button{border:1px solid #b8c0cc;background:#fff;border-radius:4px;padding:3px 10px;cursor:pointer;font:inherit}
.bar button.on{background:#1d2330;color:#fff;border-color:#1d2330}.legend span{display:inline-block;width:12px;height:12px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-2px}
#wrap{overflow:auto;max-height:80vh;border:1px solid #d8dde5;background:#fff}canvas{display:block}
#tip{position:fixed;pointer-events:none;background:#1d2330;color:#fff;padding:4px 8px;border-radius:4px;font-size:12px;display:none;white-space:pre}
#explain{background:#fff;border:1px solid #d8dde5;border-radius:6px;padding:12px 14px;min-height:120px;overflow-wrap:anywhere}
#explain h2{font-size:15px;margin:0 0 8px}#explain h3{font-size:13px;margin:10px 0 4px;color:#4a5468}#explain ol{margin:4px 0;padding-left:20px}
.ok{color:#1a7f37;font-weight:600}.no{color:#c62828;font-weight:600}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f3f6;padding:1px 4px;border-radius:3px}
table.list{border-collapse:collapse;width:100%;font-size:13px}table.list td,table.list th{border-bottom:1px solid #e3e7ee;padding:4px 6px;text-align:left;vertical-align:top}
pre.src{background:#f6f8fa;border:1px solid #e3e7ee;padding:6px 8px;margin:4px 0;font-size:12px;overflow:auto}pre.src b{background:#fff3bf}
.fid-exact,.fid-exact-for-inventory{color:#1a7f37}.fid-broader,.fid-narrower{color:#b26a00}.fid-unsupported{color:#c62828}
`

export const script = `
(function(){
'use strict';
var D=JSON.parse(document.getElementById('data').textContent);
function esc(s){return String(s).replace(/[&<>"]/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c];});}
function bits(b){var s=atob(b),u=new Uint8Array(s.length);for(var i=0;i<s.length;i++)u[i]=s.charCodeAt(i);return u;}
D.sides.forEach(function(s){s.bits=s.allowed.map(bits);});
var probe=0,sel=null,expanded={},lines={rows:[],cols:[]},cell=12,labelW=0,labelH=0;
var canvas=document.getElementById('map'),ctx=canvas.getContext('2d'),tip=document.getElementById('tip'),panel=document.getElementById('explain');
function allowed(s,p,i,j){var n=s.n,k=s.classOf[i]*n+s.classOf[j];return (s.bits[p][k>>3]>>(k&7))&1;}
function buildLines(idx){var out=[],byNs={},order=[];idx.forEach(function(i){var ns=D.ns[i];if(!(ns in byNs)){byNs[ns]=[];order.push(ns);}byNs[ns].push(i);});
 order.forEach(function(ns){var m=byNs[ns];if(expanded[ns]||m.length===1){m.forEach(function(i){out.push({ns:ns,label:D.ids[i],members:[i],group:false});});}
 else out.push({ns:ns,label:D.namespaces[ns]+' ('+m.length+')',members:m,group:true});});
 out.forEach(function(l){var g={};l.members.forEach(function(i){var k=S0.classOf[i]+','+(S1?S1.classOf[i]:0);if(!g[k])g[k]={i:i,c0:S0.classOf[i],c1:S1?S1.classOf[i]:0,count:0};g[k].count++;});l.groups=Object.keys(g).map(function(k){return g[k];});});
 return out;}
var S0=D.sides[0],S1=D.sides[1];
function bit(s,a,b){var k=a*s.n+b;return (s.bits[probe][k>>3]>>(k&7))&1;}
function stats(r,c){var t=0,a0=0,a1=0,d=0,G=r.groups,H=c.groups;
 for(var x=0;x<G.length;x++){var X=G[x];for(var y=0;y<H.length;y++){var Y=H[y],w=X.count*Y.count,v0=bit(S0,X.c0,Y.c0);t+=w;a0+=v0*w;if(S1){var v1=bit(S1,X.c1,Y.c1);a1+=v1*w;if(v0!==v1)d+=w;}}}
 return {total:t,allowed:S1?[a0,a1]:[a0],diff:d};}
var RGB={};function rgb(h){if(!RGB[h])RGB[h]=[parseInt(h.slice(1,3),16),parseInt(h.slice(3,5),16),parseInt(h.slice(5,7),16)];return RGB[h];}
function colour(st){if(D.sides.length>1){if(st.diff>0)return st.diff===st.total?'#7b1fa2':'#ce93d8';return st.allowed[0]===st.total?'#c8e6c9':st.allowed[0]===0?'#ffcdd2':'#ffe0b2';}
 var f=st.allowed[0]/st.total;return f===1?'#2e7d32':f===0?'#c62828':'#f9a825';}
function draw(){lines.rows=buildLines(D.rows);lines.cols=buildLines(D.cols);var R=lines.rows.length,C=lines.cols.length;
 cell=Math.max(4,Math.min(22,Math.floor(900/Math.max(R,C,1))));ctx.font='12px system-ui,sans-serif';
 labelW=Math.min(260,8+Math.max.apply(null,lines.rows.map(function(l){return ctx.measureText(l.label).width;}).concat([40])));
 labelH=Math.min(200,8+Math.max.apply(null,lines.cols.map(function(l){return ctx.measureText(l.label).width;}).concat([40])));
 if(cell<9){labelW=8;labelH=8;}
 var W=labelW+C*cell+1,H=labelH+R*cell+1;canvas.width=W;canvas.height=H;
 ctx.fillStyle='#fff';ctx.fillRect(0,0,W,H);ctx.font='12px system-ui,sans-serif';ctx.textBaseline='middle';
 /* cells as pixels: one putImageData instead of a fillRect per cell */
 var gap=cell>5?1:0,img=ctx.createImageData(Math.max(1,C*cell),Math.max(1,R*cell)),px=img.data,stride=C*cell;
 for(var r=0;r<R;r++){var L=lines.rows[r];for(var c=0;c<C;c++){var col=rgb(colour(stats(L,lines.cols[c])));
  for(var yy=0;yy<cell-gap;yy++){var o=((r*cell+yy)*stride+c*cell)*4;for(var xx=0;xx<cell-gap;xx++){px[o]=col[0];px[o+1]=col[1];px[o+2]=col[2];px[o+3]=255;o+=4;}}}}
 ctx.putImageData(img,labelW,labelH);
 if(cell>=9)for(var r1=0;r1<R;r1++){var L1=lines.rows[r1];ctx.fillStyle=L1.group?'#1d2330':'#4a5468';ctx.fillText((L1.group?'\\u25b8 ':'  ')+L1.label,2,labelH+r1*cell+cell/2,labelW-4);}
 if(cell>=9){ctx.save();for(var c2=0;c2<C;c2++){var K=lines.cols[c2];ctx.save();ctx.translate(labelW+c2*cell+cell/2,labelH-4);ctx.rotate(-Math.PI/2);ctx.fillStyle=K.group?'#1d2330':'#4a5468';ctx.fillText((K.group?'\\u25b8 ':'  ')+K.label,0,0,labelH-6);ctx.restore();}ctx.restore();}
 var prev=null;if(cell>=9)for(var r2=0;r2<R;r2++){if(prev!==null&&lines.rows[r2].ns!==prev){ctx.fillStyle='#1d2330';ctx.fillRect(labelW,labelH+r2*cell-1,C*cell,1);}prev=lines.rows[r2].ns;}
 prev=null;if(cell>=9)for(var c3=0;c3<C;c3++){if(prev!==null&&lines.cols[c3].ns!==prev){ctx.fillStyle='#1d2330';ctx.fillRect(labelW+c3*cell-1,labelH,1,R*cell);}prev=lines.cols[c3].ns;}
 if(sel&&sel.r<R&&sel.c<C){ctx.strokeStyle='#1565c0';ctx.lineWidth=3;ctx.strokeRect(labelW+sel.c*cell-1,labelH+sel.r*cell-1,cell+1,cell+1);ctx.lineWidth=1;}}
function at(ev){var b=canvas.getBoundingClientRect(),x=ev.clientX-b.left,y=ev.clientY-b.top;
 return {r:y<labelH?-1:Math.floor((y-labelH)/cell),c:x<labelW?-1:Math.floor((x-labelW)/cell)};}
function rle(list,j){var k=0;for(var i=0;i<list.length;i+=2){k+=list[i];if(j<k)return list[i+1];}return -1;}
function dirHtml(s,d,c,j,title){var e=s.expl;if(!e)return '';var x=e.texts[rle(e.rle[probe][d][c],j)];if(!x)return '';
 return '<h3>'+esc(title)+': <span class="'+(x.a?'ok':'no')+'">'+(x.a?'allowed':'denied')+'</span></h3><div>'+esc(x.t)+'</div>'+(x.p.length?'<ol>'+x.p.map(function(p){return '<li>'+esc(p)+'</li>';}).join('')+'</ol>':'');}
function flowHtml(i,j){var out='';D.sides.forEach(function(s){var ok=allowed(s,probe,i,j);
  out+='<div class="flow"><h2>'+(D.sides.length>1?esc(s.label)+' ('+esc(s.cni)+'): ':esc(s.cni)+': ')+'<span class="'+(ok?'ok':'no')+'">'+(ok?'ALLOWED':'DENIED')+'</span></h2>';
  if(s.expl){out+=dirHtml(s,0,s.classOf[i],s.classOf[j],'egress of '+D.ids[i])+dirHtml(s,1,s.classOf[j],s.classOf[i],'ingress of '+D.ids[j]);}
  else out+='<p>Explanations are not embedded for this many endpoint classes; run:<br><code>'+esc(s.cmd+' --from '+D.ids[i]+' --to '+D.ids[j]+' --port '+D.probes[probe])+'</code></p>';
  out+='</div>';});return out;}
function show(r,c){var R=lines.rows[r],K=lines.cols[c];if(!R||!K)return;var head='<h2>'+esc(R.label)+' \\u2192 '+esc(K.label)+' on '+esc(D.probes[probe])+'</h2>';
 if(!R.group&&!K.group){panel.innerHTML=head+flowHtml(R.members[0],K.members[0]);return;}
 var st=stats(R,K),body='<p>'+st.total+' flows; '+D.sides.map(function(s,k){return esc(s.label)+' allows '+st.allowed[k];}).join(', ')+(D.sides.length>1?'; '+st.diff+' differ':'')+'. Click a namespace label to expand it. Representative flows:</p>';
 var shown=0;R.groups.forEach(function(x){K.groups.forEach(function(y){if(shown<6){shown++;body+='<hr><p><code>'+esc(D.ids[x.i])+' \\u2192 '+esc(D.ids[y.i])+'</code> (and '+(x.count*y.count-1)+' like it)</p>'+flowHtml(x.i,y.i);}});});
 panel.innerHTML=head+body;}
canvas.addEventListener('mousemove',function(ev){var p=at(ev),R=lines.rows[p.r],K=lines.cols[p.c];
 if(!R||!K){tip.style.display='none';return;}var st=stats(R,K);tip.textContent=R.label+' \\u2192 '+K.label+'\\n'+D.sides.map(function(s,k){return s.label+': '+st.allowed[k]+'/'+st.total+' allowed';}).join('\\n')+(D.sides.length>1?'\\n'+st.diff+' differ':'');
 tip.style.display='block';tip.style.left=(ev.clientX+14)+'px';tip.style.top=(ev.clientY+10)+'px';});
canvas.addEventListener('mouseleave',function(){tip.style.display='none';});
canvas.addEventListener('click',function(ev){var p=at(ev);
 if(p.r>=0&&p.c<0&&lines.rows[p.r]){var ns=lines.rows[p.r].ns;expanded[ns]=!expanded[ns];sel=null;draw();return;}
 if(p.c>=0&&p.r<0&&lines.cols[p.c]){var n2=lines.cols[p.c].ns;expanded[n2]=!expanded[n2];sel=null;draw();return;}
 if(p.r>=0&&p.c>=0&&lines.rows[p.r]&&lines.cols[p.c]){sel={r:p.r,c:p.c};draw();show(p.r,p.c);}});
var bar=document.getElementById('ports');D.probes.forEach(function(name,k){var b=document.createElement('button');b.textContent=name;if(k===0)b.className='on';
 b.addEventListener('click',function(){probe=k;Array.prototype.forEach.call(bar.children,function(x,m){x.className=m===k?'on':'';});draw();});bar.appendChild(b);});
var expandBtn=document.getElementById('expand');if(D.rows.length>1500||D.cols.length>1500){expandBtn.disabled=true;expandBtn.title='too many endpoints to show one by one: expand namespaces by clicking their labels';}
expandBtn.addEventListener('click',function(){D.namespaces.forEach(function(_,k){expanded[k]=true;});sel=null;draw();});
document.getElementById('collapse').addEventListener('click',function(){expanded={};sel=null;draw();});
if(D.namespaces.length<=12&&D.ids.length<=60)D.namespaces.forEach(function(_,k){expanded[k]=true;});
/* for tests and scripting: the page coordinates of the centre of the cell (source, destination) */
window.netpolxCell=function(from,to){var r=-1,c=-1;lines.rows.forEach(function(l,k){if(l.label===from)r=k;});lines.cols.forEach(function(l,k){if(l.label===to)c=k;});
 if(r<0||c<0)return null;var b=canvas.getBoundingClientRect();return {x:b.left+labelW+c*cell+cell/2,y:b.top+labelH+r*cell+cell/2};};
draw();
})();
`
